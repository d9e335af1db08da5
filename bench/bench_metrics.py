"""Metrics benchmark (one run; run on purpose): `lsun_gan_eval` vs pytorch-fid's CLI end to end, cold (empty statistics
cache) and warm (real statistics cached; pytorch-fid given its own `--save-stats` file); the Fréchet distance vs scipy's
sqrtm; SWD's sort, numpy vs `torch.sort`; and FIDCallback's per-epoch cost with cached vs recomputed real statistics.

The Inception has random weights (written by `write_random_fid_weights` into a temporary TORCH_HOME): the real
weights cannot be downloaded here, and speed does not depend on the weights' values."""
import os, sys, subprocess, tempfile, shutil
from pathlib import Path
import numpy as np, torch
from PIL import Image
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table, Timer
from lsun_gan.cache import sample_path, prepare
from lsun_gan.test_utils import write_random_fid_weights
from lsun_gan.metrics import (InceptionFeatures, FeatureStats, frechet_distance, real_stats,
                              extract, image_batches, sliced_wasserstein)

def _torch_sort_swd(a, b, g, dir_repeats=4, dirs_per_repeat=128):
    "The earlier sliced Wasserstein step: `torch.sort` along dim 0"
    res = []
    for _ in range(dir_repeats):
        dirs = torch.randn(a.shape[1], dirs_per_repeat, generator=g, dtype=a.dtype)
        dirs /= dirs.norm(dim=0, keepdim=True)
        res.append(((a @ dirs).sort(0).values - (b @ dirs).sort(0).values).abs().mean().item())
    return float(np.mean(res))

def run(src=None, n=200):
    src = Path(src or sample_path(Path(__file__).parent))
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, 'TORCH_HOME': str(tmp/'th'), 'HOME': str(tmp/'home'),
           'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2')}
    try:
        write_random_fid_weights(tmp/'th')
        os.environ['TORCH_HOME'] = str(tmp/'th')
        prepare(src, tmp/'c', size=64, limit=2*n, verbose=False)
        imgs = next(image_batches(tmp/'c', 2*n, 2*n))
        for name, part in (('a', imgs[:n]), ('b', imgs[n:])):
            (tmp/name).mkdir()
            for i, im in enumerate(part): Image.fromarray(im.permute(1, 2, 0).numpy()).save(tmp/name/f'{i:04d}.png')
        cmd = lambda *c: subprocess.run([*map(str, c)], env=env, capture_output=True, text=True, check=True)
        exe = Path(sys.executable)
        ours = lambda: cmd(exe.with_name('lsun_gan_eval'), tmp/'a', tmp/'b', '--metrics', 'fid')
        pf = lambda a: cmd(exe, '-m', 'pytorch_fid', a, tmp/'b', '--device', 'cpu', '--num-workers', '2')
        with Timer() as t_ours_cold: ours()                         # HOME is empty: no statistics cached
        with Timer() as t_ours_warm: ours()                         # the real folder's statistics are cached now
        with Timer() as t_pf_cold: pf(tmp/'a')
        cmd(exe, '-m', 'pytorch_fid', '--save-stats', tmp/'a', tmp/'a.npz', '--device', 'cpu', '--num-workers', '2')
        with Timer() as t_pf_warm: pf(tmp/'a.npz')                  # pytorch-fid's own cache: its --save-stats file
        rows = [(f'FID of two folders of {n} PNGs (64 px), 2048-d, end to end, cold: nothing cached (s)',
                 f'{t_ours_cold.s:.1f} (lsun_gan_eval)', f'{t_pf_cold.s:.1f} (python -m pytorch_fid)',
                 f'{t_pf_cold.s/t_ours_cold.s:.2f}x'),
                (f'FID as above, warm: real statistics cached (s)', f'{t_ours_warm.s:.1f} (lsun_gan_eval, its cache)',
                 f'{t_pf_warm.s:.1f} (pytorch_fid on its --save-stats .npz)', f'{t_pf_warm.s/t_ours_warm.s:.2f}x')]
        from pytorch_fid.fid_score import calculate_frechet_distance
        rng = np.random.default_rng(0)
        x = rng.normal(size=(6000, 2048)); y = x[:, ::-1]*0.9 + rng.normal(size=(6000, 2048))*0.3
        s1, s2 = FeatureStats(2048).update(x), FeatureStats(2048).update(y)
        with Timer() as t_o: fd = frechet_distance(s1.mu, s1.sigma, s2.mu, s2.sigma)
        with Timer() as t_s: ref = calculate_frechet_distance(s1.mu, s1.sigma, s2.mu, s2.sigma)
        rows.append(('Fréchet distance of 2048-d statistics (s)', f'{t_o.s:.2f} (eigh+eigvalsh)', f'{t_s.s:.2f} (scipy sqrtm)',
                     f'{t_s.s/t_o.s:.1f}x; |diff|/FID={abs(fd-ref)/ref:.1e}'))
        a, b = torch.randn(256*128, 147), torch.randn(256*128, 147)   # 256 images × 128 patches of 7×7×3, one level
        with Timer() as t_np: v_np = sliced_wasserstein(a, b, g=torch.Generator().manual_seed(0))
        with Timer() as t_t: v_t = _torch_sort_swd(a, b, torch.Generator().manual_seed(0))
        rows.append(('SWD sliced-Wasserstein step, 32,768 patches × 512 directions, one level (s)', f'{t_np.s:.2f} (numpy sort)',
                     f'{t_t.s:.2f} (torch.sort dim 0)', f'{t_t.s/t_np.s:.1f}x; |diff|={abs(v_np-v_t):.1e}'))
        inc = InceptionFeatures()
        gen = imgs[n:]
        with Timer() as t_fresh:
            real_stats(tmp/'c', inc, n, tmp/'stats', progress=False)      # cold: computes and fills the cache
            f = extract(gen, inc, progress=False)[0]; FeatureStats(2048).update(f)
        with Timer() as t_cached:
            real_stats(tmp/'c', inc, n, tmp/'stats', progress=False)      # warm: hashes the rows, loads the .npz
            f = extract(gen, inc, progress=False)[0]; FeatureStats(2048).update(f)
        rows.append((f'FIDCallback cost per epoch, {n} samples vs {n} real (s)', f'{t_cached.s:.1f} (warm: cached real stats)',
                     f'{t_fresh.s:.1f} (cold: computed)', f'{t_fresh.s/t_cached.s:.1f}x'))
        return rows
    finally:
        os.environ.pop('TORCH_HOME', None)
        shutil.rmtree(tmp)

if __name__ == '__main__':
    print(machine()); print(table(run()))
