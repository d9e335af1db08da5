"""Training throughput (one run; run on purpose): real images consumed per second by the critic.

fastai DCGAN learner (lsun_gan.learner.dcgan_learner: the tutorial's two steps on each batch, `SameBatchSwitcher`)
vs the PyTorch tutorial's plain loop (`train_dcgan_plain`), like for like: identical networks and initial weights,
the same cache, the same `DataLoaders` batches (uint8 from the cache, normalised by the same batch transform),
the same batch size, in one run. fastai's alternating rhythm (`same_batch=False`) is measured too; plus WGAN and
pretrained-GAN figures; and, at 32, 64 and 128 px, the loader alone (cache → uint8 batches → float, normalise, zoom,
all on the CPU here) against the DCGAN learner's training rate on the same batches."""
import copy, itertools, statistics, sys, tempfile, shutil, warnings
from pathlib import Path
import lsun_gan.core   # first: it silences a deprecation warning fastai triggers on import
import torch
from fastai.callback.core import Callback, CancelFitException
from fastai.callback.channelslast import ChannelsLast
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.cache import sample_path, prepare
from lsun_gan.data import gan_dls
from lsun_gan.crappify import crappy_dls
from lsun_gan.models import DCGANGenerator, DCGANDiscriminator, wgan_generator, wgan_critic
from lsun_gan.learner import (dcgan_learner, wgan_learner, train_dcgan_plain, generator_learner, critic_learner,
                              pretrained_gan_learner)

class Steps(Callback):
    "Time `n` training batches after `warm` untimed ones, counting the real images the critic saw; then stop"
    order = 100
    def __init__(self, warm, n): self.warm, self.n, self.i = warm, n, 0
    def before_batch(self):
        if self.i == self.warm: self.seen0, self.timer = self.learn.gan_losses.real_seen, Timer().__enter__()
    def after_batch(self):
        self.i += 1
        if self.i == self.warm + self.n:
            self.timer.__exit__(); self.seen = self.learn.gan_losses.real_seen - self.seen0
            raise CancelFitException

def learner_ips(learn, warm=4, n=40):
    "Real images per second that `learn`'s critic sees over `n` batches"
    cb = Steps(warm, n)
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore'); learn.fit(100, 2e-4, cbs=cb)
    return cb.seen / cb.timer.s

def plain_ips(dl, G, D, warm=4, n=40):
    "Real images per second of the tutorial's loop over the batches of `dl` (the same loader the learner reads)"
    batches = lambda k: itertools.islice(itertools.chain.from_iterable(itertools.repeat(dl)), k)
    train_dcgan_plain(batches(warm), G, D, device=dl.device)
    with Timer() as t: train_dcgan_plain(batches(n), G, D, device=dl.device)
    return n*dl.bs / t.s

def run(src=None, size=64, bs=64, n=20, rounds=3):
    src = Path(src or sample_path(Path(__file__).parent))
    tmp = Path(tempfile.mkdtemp())
    try:
        prepare(src, tmp/'c', size=size, limit=1024, verbose=False)
        dls = gan_dls(tmp/'c', size=size, bs=bs, zoom=False)
        torch.manual_seed(0)
        G, D = DCGANGenerator(size), DCGANDiscriminator(size)
        mk = lambda same, cbs=None: dcgan_learner(dls, size, generator=copy.deepcopy(G), critic=copy.deepcopy(D),
                                                  same_batch=same, cbs=cbs)
        pl, fas, cls = [], [], []
        for _ in range(rounds):   # interleaved, so that a drift in the machine's speed reaches all alike
            pl.append(plain_ips(dls.train, copy.deepcopy(G), copy.deepcopy(D), n=n))
            fas.append(learner_ips(mk(True), n=n))
            cls.append(learner_ips(mk(True, [ChannelsLast()]), n=n))
        plain, fa, cl = statistics.median(pl), statistics.median(fas), statistics.median(cls)
        alt = learner_ips(mk(False), n=n)
        rows = [(f'DCGAN, {size} px, bs {bs}: real images/s (critic), same batches, median of {rounds} interleaved',
                 f'{fa:.0f} (fastai learner)', f'{plain:.0f} (plain loop)', f'{fa/plain:.2f}x'),
                (f"DCGAN, fastai's alternating rhythm (same_batch=False)", f'{alt:.0f}', f'{plain:.0f} (plain loop)',
                 f'{alt/plain:.2f}x')]
        rows.append(('DCGAN learner with `--channels-last` (fastai `ChannelsLast`), medians of the same interleaved runs',
                     f'{cl:.0f}', f'{fa:.0f} (learner, contiguous)', f'{cl/fa:.2f}x'))
        torch.manual_seed(0)
        wG, wD = wgan_generator(size), wgan_critic(size)
        wmk = lambda cbs=None: wgan_learner(dls, size, generator=copy.deepcopy(wG), critic=copy.deepcopy(wD), cbs=cbs)
        wg, wcl = [], []
        for _ in range(rounds):
            wg.append(learner_ips(wmk(), n=n)); wcl.append(learner_ips(wmk([ChannelsLast()]), n=n))
        wg, wcl = statistics.median(wg), statistics.median(wcl)
        rows.append((f'WGAN, {size} px, bs {bs}: real images/s (critic), `--channels-last` vs contiguous, medians of '
                     f'{rounds} interleaved', f'{wcl:.0f}', f'{wg:.0f}', f'{wcl/wg:.2f}x'))
        cdls = crappy_dls(tmp/'c', size=size, bs=16, num_workers=0)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore'); gen = generator_learner(cdls, size)
        crit = critic_learner(cdls, size)  # untrained critic: the throughput does not depend on its weights
        gan = pretrained_gan_learner(gen, crit, max_crit=1)
        pg = learner_ips(gan, warm=2, n=10)
        rows.append((f'pretrained GAN (U-Net resnet34), {size} px, bs 16: real images/s (critic)', f'{pg:.0f}', '', ''))
        return rows
    finally: shutil.rmtree(tmp)

def loader_vs_training(src=None, sizes=(32, 64, 128), bs=64, n=10):
    "Rows: the loader's images/s alone against the DCGAN learner's real images/s, at each size, same batches"
    src = Path(src or sample_path(Path(__file__).parent))
    tmp, rows = Path(tempfile.mkdtemp()), []
    try:
        for size in sizes:
            prepare(src, tmp/f'c{size}', size=size, limit=1024, verbose=False)
            dls = gan_dls(tmp/f'c{size}', size=size, bs=bs)   # zoom on: the costliest batch transforms
            it = iter(dls.train)
            next(it)
            with Timer() as t: k = sum(1 for _ in itertools.islice(it, 12))
            load = k*bs / t.s
            train = learner_ips(dcgan_learner(dls, size), warm=2, n=n)
            rows.append((f'{size} px, bs {bs}: loader alone vs DCGAN training (images/s)', f'{load:.0f} (loader)',
                         f'{train:.0f} (training)', f'{load/train:.0f}x'))
        return rows
    finally: shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run() + loader_vs_training()))
