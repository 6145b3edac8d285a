import hydra


@hydra.main("../conf", "app", "1.1")
def main(cfg):
    pass
