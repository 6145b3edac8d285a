import hydra


@hydra.main(config_path="pkg://mypkg.conf", config_name="app", version_base="1.3")
def main(cfg):
    pass
