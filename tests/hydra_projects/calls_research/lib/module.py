"""A model class that keeps its config and instantiates parts of it in other methods."""

import hydra


class Learner:
    def __init__(self, cfg, extra=None):
        self.cfg = cfg
        self.net = hydra.utils.instantiate(cfg.net)
        self.save_hyperparameters(cfg)

    def configure_optimizers(self):
        optimizer = hydra.utils.instantiate(self.cfg.optimizer, params=self.parameters())
        scheduler = self._scheduler(self.cfg.scheduler, optimizer)
        return optimizer, scheduler

    def _scheduler(self, sched_cfg, optimizer):
        return hydra.utils.instantiate(sched_cfg, optimizer=optimizer)
