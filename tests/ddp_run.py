"""Run by tests/test_ddp.py under `torchrun` (or alone, as one process); each rank saves what it ended with.

    python ddp_run.py toy MODE BS OUT         tiny BatchNorm-free networks on fixed (noise, image) items, no augmentation:
                                              MODE wgan (n_crit), dcgan (same batch) or threshold (`ThresholdSwitcher`)
    python ddp_run.py real ARCH DATA OUT EPOCHS [resume]   `train` as `lsun_gan_train` runs it, at 32 px
    python ddp_run.py nan DATA OUT            DCGAN whose critic turns NaN on rank 1 alone: what each rank says
    python ddp_run.py count ARCH DATA OUT BUDGET   collectives lsun_gan calls per training batch (BUDGET images|seconds)
"""
import json, sys, time
from pathlib import Path
from lsun_gan.distributed import init_distributed, rank, world_size, unwrap   # lsun_gan first: it quietens fastai
import torch
from torch import nn
from fastai.data.core import DataLoaders, TfmdDL
from lsun_gan.learner import (wgan_learner, dcgan_learner, SafeGANLearner, ThresholdSwitcher, DistributedGAN,
                              dcgan_gen_loss, dcgan_crit_loss)
from lsun_gan.train import train, Budget, RunConfig
from lsun_gan.learner import TrainingDiverged
from fastai.callback.core import Callback
import torch.distributed as dist

def toy(mode:str, bs:int, out:Path):
    init_distributed('cpu')
    g = torch.Generator().manual_seed(0)
    items = [(torch.randn(8, generator=g), torch.rand(3, 8, 8, generator=g)*2 - 1) for _ in range(48)]
    dl = TfmdDL(items, bs=bs, shuffle=False, drop_last=True)
    dls = DataLoaders(dl, dl.new([]), device='cpu')
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(8, 3*8*8), nn.Tanh(), nn.Unflatten(1, (3, 8, 8)))
    C = nn.Sequential(nn.Conv2d(3, 4, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(4*4*4, 1),
                      *([nn.Sigmoid()] if mode != 'wgan' else []), nn.Flatten(0))
    cbs = [DistributedGAN()] if world_size() > 1 else []
    if mode == 'wgan': learn = wgan_learner(dls, generator=G, critic=C, n_crit=2, cbs=cbs)
    elif mode == 'dcgan': learn = dcgan_learner(dls, generator=G, critic=C, cbs=cbs)
    else: learn = SafeGANLearner(dls, G, C, dcgan_gen_loss, dcgan_crit_loss, switcher=ThresholdSwitcher(1.385, 3),
                                 switch_eval=False, cbs=cbs)
    start = {n: p.detach().clone() for n, p in G.named_parameters()}
    with learn.no_bar(), learn.no_logging(): learn.fit(3, 1e-2)
    save(learn, out, start=start)

def real(arch:str, data:str, out:Path, epochs:int, resume:bool):
    learn = train(RunConfig(arch, data, size=32, bs=8, epochs=epochs, backbone='resnet18'), out, resume=resume,
                  num_workers=0, device='cpu', collapse=False, n_samples=8)
    save(learn, out)

class NaNCritic(Callback):
    "From batch `at` on, this rank's (`r`) critic has NaN weights: a fault on one rank alone"
    order = 0
    def __init__(self, r:int, at:int): self.r, self.at = r, at
    def before_batch(self):
        if self.training and rank() == self.r and self.iter == self.at:
            with torch.no_grad():
                for p in unwrap(self.learn.model.critic).parameters(): p.fill_(float('nan'))

def nan(data:str, out:Path):
    try:
        train(RunConfig('dcgan', data, size=32, bs=8, epochs=2), out, num_workers=0, device='cpu', collapse=False,
              n_samples=8, cbs=[NaNCritic(1, 2)])
        msg = 'no divergence'
    except TrainingDiverged as e: msg = str(e)
    (Path(out)/f'rank{rank()}.txt').write_text(msg)

COLLECTIVES = ('all_reduce', 'broadcast', 'all_gather', 'all_gather_object', 'all_gather_into_tensor', 'barrier',
               'reduce', 'gather', 'scatter', 'broadcast_object_list', 'reduce_scatter')

class CountCollectives(Callback):
    "Count the collectives called through `torch.distributed` during training batches (DDP's own run in C++)"
    order = -100
    def __init__(self): self.calls, self.batches, self.inside = {}, 0, False
    def before_fit(self):
        for name in COLLECTIVES:
            f = getattr(dist, name)
            def counted(*a, _f=f, _n=name, **k):
                if self.inside: self.calls[_n] = self.calls.get(_n, 0) + 1
                return _f(*a, **k)
            setattr(dist, name, counted)
    def before_batch(self): self.inside = self.training
    def after_batch(self):
        self.batches += self.inside   # `after_batch` of callbacks after this one (a budget) still count
    def after_train(self): self.inside = False

def count(arch:str, data:str, out:Path, budget:str):
    cb = CountCollectives()
    b = Budget(images=96) if budget == 'images' else Budget(seconds=3600, images=96)
    train(RunConfig(arch, data, size=32, bs=8, backbone='resnet18'), out, num_workers=0, device='cpu', collapse=False,
          n_samples=8, budget=b, cbs=[cb])
    if rank() == 0: (Path(out)/'counts.json').write_text(json.dumps(dict(calls=cb.calls, batches=cb.batches)))

def save(learn, out:Path, **extra):
    nets = {k: {n: p.detach().clone() for n, p in unwrap(getattr(learn.model, k)).named_parameters()}
            for k in ('generator', 'critic')}
    torch.save(dict(**nets, steps=learn.gan_losses.steps, real_seen=learn.gan_losses.real_seen, world=world_size(),
                    **extra),
               Path(out)/f'rank{rank()}.pt')

if __name__ == '__main__':
    kind, *a = sys.argv[1:]
    if kind == 'toy': toy(a[0], int(a[1]), Path(a[2]))
    elif kind == 'nan': nan(a[0], Path(a[1]))
    elif kind == 'count': count(a[0], a[1], Path(a[2]), a[3])
    else: real(a[0], a[1], Path(a[2]), int(a[3]), len(a) > 4)
    if dist.is_initialized(): dist.destroy_process_group()
