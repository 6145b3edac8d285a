"""A small package written into a temporary workspace: every shape the index must follow.

Its __init__ writes a canary file when imported, so tests can prove nothing imports it.
"""

from __future__ import annotations

from pathlib import Path

FILES = {
    "canarypkg/__init__.py": """\
from pathlib import Path as _P
_P(__file__).with_name("IMPORTED").write_text("canarypkg was imported")
from ._impl import *
from ._builders import tiny_model, qtiny_model
from . import _builders as builders_alias
from .sub import Widget
rebound = tiny_model
__all__ = ["tiny_model", "qtiny_model", "Widget", "Config", "Plain", "rebound", "Color", "make"]
""",
    "canarypkg/_impl.py": """\
import dataclasses
import enum
from typing import Literal, Optional

__all__ = ["Config", "Plain", "Color", "make", "NewOnly"]

Mode = Literal["fast", "slow"]

class Color(enum.Enum):
    RED = 1
    BLUE = 2

@dataclasses.dataclass
class Config:
    name: str
    size: int = 3
    tags: list = dataclasses.field(default_factory=list)
    hidden: int = dataclasses.field(default=0, init=False)

class Base:
    def __init__(self, width: int, *, mode: Mode = "fast", **extra):
        '''A base.

        Args:
            width (int): how wide.
            mode (Mode): how fast.
        '''

class Plain(Base):
    '''Inherits Base.__init__.'''

class NewOnly:
    def __new__(cls, seed: int = 0):
        return super().__new__(cls)

def make(color: Color, ratio: float = 0.5, name: Optional[str] = None, flag: bool = False) -> None:
    '''Make something.

    Args:
        color (Color): the color.
        ratio (float): a ratio,
            over two lines.
    '''
""",
    "canarypkg/_builders.py": """\
from functools import partial
from typing import List

def tiny_model(layers: int, heads: int = 4, dim: int = 64, quantize: bool = False, tags: List[str] = None):
    '''Build a tiny model.

    Args:
        layers (int): number of layers.
        heads (int): attention heads.
    '''

qtiny_model = partial(tiny_model, quantize=True)
qtiny_model.__doc__ = '''Quantized tiny model.

Args:
    layers (int): number of layers, quantized.
'''
""",
    "canarypkg/sub/__init__.py": "from .widgets import Widget\n",
    "canarypkg/sub/widgets.py": """\
class Widget:
    def __init__(self, size: int, /, color: str = 'red'):
        pass
""",
    "canarypkg/broken.py": "def broken(:\n",
    "canarypkg/cycle_a.py": "from canarypkg.cycle_b import thing\n",
    "canarypkg/cycle_b.py": "from canarypkg.cycle_a import thing\n",
    "canarypkg/fast.cpython-311-x86_64-linux-gnu.so": "",
}


def write_package(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
