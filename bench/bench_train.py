"""Training throughput (one run; run on purpose): real images consumed per second by the critic.

fastai DCGAN learner (lsun_gan.learner.dcgan_learner) vs the PyTorch tutorial's plain loop with identical networks,
batch 64 at 64 px, data in memory; plus WGAN and pretrained-GAN figures. One critic step consumes one batch of
real images in both (the plain loop does a D and a G step per batch; fastai alternates one batch each)."""
import sys, tempfile, shutil, warnings
from pathlib import Path
import numpy as np, torch
from fastai.callback.core import Callback, CancelFitException
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.data import sample_path, prepare, gan_dls
from lsun_gan.crappify import crappy_dls
from lsun_gan.models import DCGANGenerator, DCGANDiscriminator
from lsun_gan.learner import dcgan_learner, wgan_learner, train_dcgan_plain, generator_learner, critic_learner, pretrained_gan_learner

class Steps(Callback):
    "Count critic steps over `n` batches after `warm` untimed ones, then stop the fit"
    order = 100
    def __init__(self, warm, n): self.warm, self.n, self.i, self.crit = warm, n, 0, 0
    def before_batch(self):
        if self.i == self.warm: self.timer = Timer().__enter__()
    def after_loss(self):
        if self.training and self.i >= self.warm and not self.learn.gan_trainer.gen_mode: self.crit += 1
    def after_batch(self):
        self.i += 1
        if self.i == self.warm + self.n: self.timer.__exit__(); raise CancelFitException

def learner_ips(learn, bs, warm=4, n=40):
    cb = Steps(warm, n)
    with learn.no_bar(), learn.no_logging(), warnings.catch_warnings():
        warnings.simplefilter('ignore'); learn.fit(100, 2e-4, cbs=cb)
    return cb.crit*bs / cb.timer.s

def run(src=None, size=64, bs=64, n=40):
    src = Path(src or sample_path(Path(__file__).parent))
    tmp = Path(tempfile.mkdtemp())
    try:
        cache = prepare(src, tmp/'c', size=size, limit=1024, verbose=False)
        dls = gan_dls(tmp/'c', size=size, bs=bs, zoom=False)
        torch.manual_seed(0)
        G, D = DCGANGenerator(size), DCGANDiscriminator(size)
        dev = dls.device
        real = torch.from_numpy(np.ascontiguousarray(cache.images[cache.rows])).permute(0, 3, 1, 2).float().div(127.5).sub(1)
        batches = [real[i:i+bs].to(dev) for i in range(0, len(real) - bs + 1, bs)]
        stream = lambda k: (batches[i % len(batches)] for i in range(k))
        train_dcgan_plain(stream(4), G, D, device=dev)                          # warm-up
        with Timer() as t: train_dcgan_plain(stream(n//2), G, D, device=dev)    # n/2 iterations = n/2 critic steps
        plain = (n//2)*bs / t.s
        fa = learner_ips(dcgan_learner(dls, size, generator=DCGANGenerator(size), critic=DCGANDiscriminator(size)), bs, n=n)
        rows = [(f'DCGAN, {size} px, bs {bs}: real images/s (critic)', f'{fa:.0f} (fastai learner)', f'{plain:.0f} (plain loop)', f'{fa/plain:.2f}x')]
        wg = learner_ips(wgan_learner(dls, size), bs, n=n)
        rows.append((f'WGAN, {size} px, bs {bs}: real images/s (critic)', f'{wg:.0f}', '', ''))
        cdls = crappy_dls(tmp/'c', size=size, bs=16, num_workers=0)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore'); gen = generator_learner(cdls, size)
        crit = critic_learner(cdls, size)  # untrained critic: the throughput does not depend on its weights
        gan = pretrained_gan_learner(gen, crit, max_crit=1)
        pg = learner_ips(gan, 16, warm=2, n=10)
        rows.append((f'pretrained GAN (U-Net resnet34), {size} px, bs 16: real images/s (critic)', f'{pg:.0f}', '', ''))
        return rows
    finally: shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run()))
