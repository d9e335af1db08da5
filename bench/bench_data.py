"""Data pipeline benchmark on the real LSUN sample (one run; run on purpose, not in the test suite).

prepare() vs plain PIL (open, convert, resize short side, centre crop) with the same number of processes
(`bench_prepare.py`, in a process without torch, as `lsun_gan_prepare` runs), and
batches/s from the prepared cache vs fastai's Resize(64, method='crop') DataBlock over the raw JPEG folder."""
import os, sys, json, subprocess, tempfile, shutil
from pathlib import Path
import lsun_gan.core   # first: it silences a deprecation warning fastai triggers on import
from fastai.data.block import DataBlock, TransformBlock
from fastai.data.transforms import IndexSplitter
from fastai.vision.data import ImageBlock
from fastai.vision.augment import Resize
from fastai.vision.gan import generate_noise
from fasttransform import Pipeline
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.cache import sample_path, prepare
from lsun_gan.data import gan_dls, image_files, gan_tfms

def batches_per_s(dl, n):
    "Batches per second over `n` batches, cycling epochs (new epochs' start-up is timed too)"
    def cycle():
        while True: yield from dl
    it = cycle()
    for _ in range(3): next(it)  # start-up (workers, first batches) not timed
    with Timer() as t:
        for _ in range(n): next(it)
    return n / t.s

def run(src=None, workers=None, size=64, bs=64):
    src = Path(src or sample_path(Path(__file__).parent))
    workers = workers or os.cpu_count()
    tmp = Path(tempfile.mkdtemp())
    try:   # in a process without torch and fastai, as `lsun_gan_prepare` runs
        r = json.loads(subprocess.run([sys.executable, Path(__file__).with_name('bench_prepare.py'), src, str(workers)],
                                      capture_output=True, text=True, check=True).stdout)
        pil_ips, prep_ips = r['n']/r['pil'], r['n']/r['ours']
        prepare(src, tmp/'c', size=size, n_workers=workers, verbose=False)
        rows = [(f"prepare {r['n']} JPEGs to {size} px, {workers} processes, median of 3 interleaved runs (images/s)",
                 f'{prep_ips:.0f}', f'{pil_ips:.0f} (plain PIL)', f'{prep_ips/pil_ips:.2f}x'),
                ('time for 303k images at that rate', f'{303125/prep_ips/60:.1f} min', f'{303125/pil_ips/60:.1f} min',
                 '')]
        for mode in ('loading only', 'zoom off', 'zoom on'):
            zoom = mode == 'zoom on'
            cache_dl = gan_dls(tmp/'c', size=size, bs=bs, zoom=zoom, device='cpu')[0]
            raw = DataBlock(blocks=(TransformBlock, ImageBlock), get_x=generate_noise, get_items=image_files,
                            splitter=IndexSplitter([]), item_tfms=Resize(size, method='crop'),
                            batch_tfms=gan_tfms(zoom=zoom))
            raw_dl = raw.dataloaders(src, bs=bs, num_workers=workers, device='cpu')[0]
            if mode == 'loading only':  # uint8 batches; in training the batch transforms run on the GPU
                cache_dl.after_batch, raw_dl.after_batch = Pipeline([]), Pipeline([])
            c, r = batches_per_s(cache_dl, 100), batches_per_s(raw_dl, 16)
            rows.append((f"batches/s, bs {bs}, {size} px, {mode}", f'{c:.1f} (cache)',
                         f'{r:.2f} (fastai DataBlock on JPEGs, {workers} workers)', f'{c/r:.0f}x'))
        return rows
    finally: shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run()))
