import omegaconf
from omegaconf import OmegaConf as OC

DOUBLE = "double"

OC.register_new_resolver("add", lambda a, b: a + b)
OC.register_new_resolver(name="mul", resolver=lambda a, b: a * b)
omegaconf.OmegaConf.register_resolver("legacy", lambda x: x)
OC.register_new_resolver(DOUBLE, lambda x: 2 * x, replace=True)
