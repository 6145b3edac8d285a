def main(cfg):
    return cfg
