"""Metrics benchmark (one run; run on purpose): FID pipeline vs pytorch-fid's CLI on the same folders, the matrix
square root vs scipy, and FIDCallback's per-epoch cost with cached vs recomputed real statistics.

The Inception has random weights (written by `write_random_fid_weights` into a temporary TORCH_HOME): the real
weights cannot be downloaded here, and speed does not depend on the weights' values."""
import os, sys, subprocess, tempfile, shutil
from pathlib import Path
import numpy as np
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.data import sample_path, prepare
from lsun_gan.metrics import (write_random_fid_weights, InceptionFeatures, FeatureStats, frechet_distance, real_stats,
                              extract, image_batches)

def run(src=None, n=200):
    src = Path(src or sample_path(Path(__file__).parent))
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, 'TORCH_HOME': str(tmp/'th'), 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2')}
    try:
        write_random_fid_weights(tmp/'th')
        os.environ['TORCH_HOME'] = str(tmp/'th')
        prepare(src, tmp/'c', size=64, limit=2*n, verbose=False)
        imgs = next(image_batches(tmp/'c', 2*n, 2*n))
        for name, part in (('a', imgs[:n]), ('b', imgs[n:])):
            (tmp/name).mkdir()
            for i, im in enumerate(part): Image.fromarray(im.permute(1, 2, 0).numpy()).save(tmp/name/f'{i:04d}.png')
        cmd = lambda *c: subprocess.run([*c], env=env, capture_output=True, text=True, check=True)
        exe = Path(sys.executable)
        with Timer() as t_ours: cmd(exe.with_name('lsun_gan_eval'), tmp/'a', tmp/'b', '--metrics', 'fid')
        with Timer() as t_pf: cmd(exe, '-m', 'pytorch_fid', tmp/'a', tmp/'b', '--device', 'cpu', '--num-workers', '2')
        rows = [(f'FID of two folders of {n} PNGs (64 px), end to end, 2048-d (images/s)', f'{2*n/t_ours.s:.1f} (lsun_gan_eval)',
                 f'{2*n/t_pf.s:.1f} (python -m pytorch_fid)', f'{t_pf.s/t_ours.s:.2f}x')]
        from pytorch_fid.fid_score import calculate_frechet_distance
        rng = np.random.default_rng(0)
        x = rng.normal(size=(6000, 2048)); y = x[:, ::-1]*0.9 + rng.normal(size=(6000, 2048))*0.3
        s1, s2 = FeatureStats(2048).update(x), FeatureStats(2048).update(y)
        with Timer() as t_o: ours = frechet_distance(s1.mu, s1.sigma, s2.mu, s2.sigma)
        with Timer() as t_s: ref = calculate_frechet_distance(s1.mu, s1.sigma, s2.mu, s2.sigma)
        rows.append(('Fréchet distance of 2048-d statistics (s)', f'{t_o.s:.2f} (eigh+eigvalsh)', f'{t_s.s:.2f} (scipy sqrtm)',
                     f'{t_s.s/t_o.s:.1f}x; |diff|/FID={abs(ours-ref)/ref:.1e}'))
        inc = InceptionFeatures()
        gen = imgs[n:]
        real_stats(tmp/'c', inc, n, tmp/'stats', progress=False)       # fill the cache once
        with Timer() as t_cached:
            real_stats(tmp/'c', inc, n, tmp/'stats', progress=False)
            f = extract(gen, inc, progress=False)[0]; FeatureStats(2048).update(f)
        with Timer() as t_fresh:
            real_stats(tmp/'c', inc, n, tmp/'stats2', progress=False)
            f = extract(gen, inc, progress=False)[0]; FeatureStats(2048).update(f)
            shutil.rmtree(tmp/'stats2')
        rows.append((f'FIDCallback cost per epoch, {n} samples vs {n} real (s)', f'{t_cached.s:.1f} (cached real stats)',
                     f'{t_fresh.s:.1f} (recomputed)', f'{t_fresh.s/t_cached.s:.1f}x'))
        return rows
    finally:
        os.environ.pop('TORCH_HOME', None)
        shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run()))
