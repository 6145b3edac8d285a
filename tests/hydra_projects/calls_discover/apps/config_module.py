import hydra


def load():
    with hydra.initialize_config_module(config_module="mypkg.conf", version_base="1.3"):
        return hydra.compose(config_name="app")
