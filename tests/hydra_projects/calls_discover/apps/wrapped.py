import hydra


def task(cfg):
    hydra.utils.instantiate(cfg.model)


main = hydra.main(config_path="../conf", config_name="app", version_base="1.3")(task)
