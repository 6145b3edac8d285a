import hydra as h


@h.main()
def legacy(cfg):
    pass


@h.main(version_base="1.3")
def modern(cfg):
    pass


@h.main(config_path=None, config_name="app", version_base=None)
def structured(cfg):
    pass
