"""Memory format and compilation on this machine (one run; run on purpose): the plain DCGAN tutorial loop at 64 px,
batch 64, on the same uint8-cache batches, eager (contiguous) vs `channels_last` vs `torch.compile` of both networks.
Real images/s over the same batches after warm-up batches (compilation happens in the warm-up and is timed apart)."""
import copy, itertools, sys, tempfile, shutil, time
from pathlib import Path
import lsun_gan.core   # first: it silences a deprecation warning fastai triggers on import
import torch
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.cache import sample_path, prepare
from lsun_gan.data import gan_dls
from lsun_gan.models import DCGANGenerator, DCGANDiscriminator
from lsun_gan.learner import train_dcgan_plain

def ips(dl, G, D, warm=3, n=15, to=lambda b: b):
    "Real images/s of the tutorial's loop over `n` batches of `dl` after `warm` ones; and the warm-up's seconds"
    batches = lambda k: (to(b) for b in itertools.islice(itertools.chain.from_iterable(itertools.repeat(dl)), k))
    with Timer() as w: train_dcgan_plain(batches(warm), G, D, device=dl.device)
    with Timer() as t: train_dcgan_plain(batches(n), G, D, device=dl.device)
    return n*dl.bs / t.s, w.s

def run(src=None, size=64, bs=64):
    src = Path(src or sample_path(Path(__file__).parent))
    tmp = Path(tempfile.mkdtemp())
    try:
        prepare(src, tmp/'c', size=size, limit=1024, verbose=False)
        dl = gan_dls(tmp/'c', size=size, bs=bs, zoom=False).train
        torch.manual_seed(0)
        G, D = DCGANGenerator(size), DCGANDiscriminator(size)
        eager, _ = ips(dl, copy.deepcopy(G), copy.deepcopy(D))
        cl = lambda b: tuple(x.contiguous(memory_format=torch.channels_last) if x.ndim == 4 else x for x in b)
        last, _ = ips(dl, copy.deepcopy(G).to(memory_format=torch.channels_last),
                      copy.deepcopy(D).to(memory_format=torch.channels_last), to=cl)
        rows = [(f'DCGAN plain loop, {size} px, bs {bs}: real images/s, channels_last', f'{last:.0f}',
                 f'{eager:.0f} (eager, contiguous)', f'{last/eager:.2f}x')]
        try:
            comp, warm_s = ips(dl, torch.compile(copy.deepcopy(G)), torch.compile(copy.deepcopy(D)))
            rows.append((f'the same, torch.compile of both networks (warm-up with compilation: {warm_s:.0f} s)',
                         f'{comp:.0f}', f'{eager:.0f} (eager)', f'{comp/eager:.2f}x'))
        except Exception as e:   # reported as a result: whether compile works here is what this row asks
            why = ' '.join(str(e).split())[:90]
            rows.append(('the same, torch.compile of both networks', f'failed: {type(e).__name__}: {why}',
                         f'{eager:.0f} (eager)', ''))
        return rows
    finally: shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run()))
