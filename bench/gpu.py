"""Prove the GPU path in one command, and print one table (also written as `gpu.md` and `gpu.json` into OUT):

    python bench/gpu.py OUT [--data DIR] [--smoke] [--minutes M]

- the GPU tests (`tests/test_gpu.py`) and the `cuda`-flagged notebook cells: passed / failed, with the last lines;
- torchrun: 2 processes on one GPU with `--sync-bn` through the rank-0 sampling path (gloo: NCCL refuses two ranks on
  one GPU, which is tried and reported too), and 1 process on NCCL with and without `--sync-bn`;
- each approach at 64 px, batch 64: real images/s and peak GPU memory in fp32, bf16, fp16 and channels_last;
- the DCGAN learner against the PyTorch tutorial's plain loop: same GPU, same batches, same initial weights, interleaved;
- cuDNN as `train` sets it (deterministic, for exact repeats) against cuDNN's fastest algorithms;
- the loader against training: milliseconds of data per batch against milliseconds of a training step;
- `FIDCallback`'s cost per epoch with a random-weights Inception of the real structure, cold and warm.

`--smoke` runs the same on the CPU at 32 px with tiny batches in about two minutes (CI's long tier runs it, so the
script cannot rot); the GPU rows then say `cpu`. `--minutes` bounds the whole run: what is left when the time is up is
reported as not run. DATA is a folder of images or a prepared cache (default: the LSUN sample).
"""
import argparse, copy, itertools, json, os, platform, shutil, statistics, subprocess, sys, tempfile, time, traceback
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import lsun_gan.core   # first: it silences a deprecation warning fastai triggers on import
import torch
from fastai.callback.core import Callback, CancelFitException
from fastai.callback.channelslast import ChannelsLast
from lsun_gan.cache import sample_path, prepare
from lsun_gan.data import gan_dls
from lsun_gan.models import DCGANGenerator, DCGANDiscriminator
from lsun_gan.learner import dcgan_learner, train_dcgan_plain, GANMixedPrecision
from lsun_gan.train import build_learner, train, RunConfig
from lsun_gan.test_utils import write_random_fid_weights
from lsun_gan.metrics import InceptionFeatures
from lsun_gan.callbacks import FIDCallback

FULL = dict(size=64, bs=64, limit=2048, warm=10, n=100, n_gan=40, rounds=3, fid_n=1000, backbone='resnet34',
            nproc_timeout=240, test_timeout=300)
SMOKE = dict(size=32, bs=8, limit=64, warm=1, n=3, n_gan=2, rounds=2, fid_n=16, backbone='resnet18',
             nproc_timeout=240, test_timeout=120)
VARIANTS = ('fp32', 'bf16', 'fp16', 'channels_last')
SECTIONS = ('tests', 'torchrun', 'throughput', 'plain', 'loader', 'fid', 'epochs', 'notebooks')

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)

class Steps(Callback):
    "Time `n` training batches after `warm` untimed ones (synchronising the GPU), counting real images; then stop"
    order = 100
    def __init__(self, warm, n, device): self.warm, self.n, self.device, self.i = warm, n, device, 0
    def before_batch(self):
        if self.i == self.warm:
            sync(self.device); self.seen0, self.t0 = self.learn.gan_losses.real_seen, time.perf_counter()
    def after_batch(self):
        self.i += 1
        if self.i == self.warm + self.n:
            sync(self.device); self.secs = time.perf_counter() - self.t0
            self.seen = self.learn.gan_losses.real_seen - self.seen0
            raise CancelFitException

def fit_rate(learn, c, device, n=None) -> dict:
    "Real images per second, seconds per batch and peak GPU memory of `learn` over `n` timed batches"
    cb = Steps(c['warm'], n or c['n'], device)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats(device)
    with learn.no_bar(), learn.no_logging(): learn.fit(10_000, 2e-4, cbs=cb)
    mem = torch.cuda.max_memory_allocated(device)/2**30 if device.type == 'cuda' else None
    return dict(ips=cb.seen/cb.secs, s_per_batch=cb.secs/cb.n, peak_gib=mem)

def variant_cbs(v):
    return [ChannelsLast()] if v == 'channels_last' else [GANMixedPrecision(v)] if v in ('bf16', 'fp16') else []

def throughput(c, cache, tmp, device):
    "Each approach in each variant: real images/s and peak memory, the variants interleaved, medians of the rounds"
    rows, res = [], {}
    for arch in ('dcgan', 'wgan', 'gan'):
        n = c['n_gan'] if arch == 'gan' else c['n']
        for r in range(c['rounds'] if arch != 'gan' else 1):
            for v in VARIANTS:
                torch.manual_seed(0)
                cfg = RunConfig(arch, cache, size=c['size'], bs=c['bs'], backbone=c['backbone'],
                                precision=v if v in ('bf16', 'fp16') else 'fp32')
                learn = build_learner(cfg, tmp/'gan', device, num_workers=0)
                learn.add_cbs(variant_cbs(v))
                try: res.setdefault((arch, v), []).append(fit_rate(learn, c, device, n))
                except Exception as e: res.setdefault((arch, v), []).append(dict(error=f'{type(e).__name__}: {e}'[:300]))
                finally:
                    for cb in learn.cbs:
                        if hasattr(cb, 'close'): cb.close()
        base = None
        for v in VARIANTS:
            ms = res[(arch, v)]
            if any('error' in m for m in ms):
                rows.append((f'{arch}, {c["size"]} px, bs {c["bs"]}, {v}', 'FAILED', next(m['error'] for m in ms if 'error' in m)))
                continue
            ips = statistics.median(m['ips'] for m in ms)
            mem = max(m['peak_gib'] or 0 for m in ms)
            base = ips if v == 'fp32' else base
            rows.append((f'{arch}, {c["size"]} px, bs {c["bs"]}, {v}: real images/s (critic)', f'{ips:.0f}',
                         (f'peak {mem:.2f} GiB; ' if mem else '') + (f'{ips/base:.2f}x fp32; ' if base and v != 'fp32' else '')
                         + f'median of {len(ms)}, {n} batches each'))
    return rows, {f'{a}/{v}': ms for (a, v), ms in res.items()}

def learner_vs_plain(c, cache, device):
    "The DCGAN learner (`SameBatchSwitcher`) against the tutorial's loop: same batches, same weights, interleaved"
    dls = gan_dls(cache, size=c['size'], bs=c['bs'], zoom=False, device=device, num_workers=0)
    torch.manual_seed(0)
    G, D = DCGANGenerator(c['size']), DCGANDiscriminator(c['size'])
    batches = lambda k: itertools.islice(itertools.chain.from_iterable(itertools.repeat(dls.train)), k)
    def plain():
        g, d = copy.deepcopy(G), copy.deepcopy(D)
        train_dcgan_plain(batches(c['warm']), g, d, device=device)
        sync(device); t = time.perf_counter()
        train_dcgan_plain(batches(c['n']), g, d, device=device)
        sync(device); s = time.perf_counter() - t
        return dict(ips=c['n']*c['bs']/s, s_per_batch=s/c['n'])
    def learner(deterministic):
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = deterministic, False
        try: return fit_rate(dcgan_learner(dls, c['size'], generator=copy.deepcopy(G), critic=copy.deepcopy(D)), c, device)
        finally: torch.backends.cudnn.deterministic = False
    pl, fa, det = [], [], []
    for _ in range(c['rounds']):
        pl.append(plain()); fa.append(learner(False)); det.append(learner(True))
    med = lambda ms, k='ips': statistics.median(m[k] for m in ms)
    p, f, d = med(pl), med(fa), med(det)
    rows = [(f'DCGAN, {c["size"]} px, bs {c["bs"]}: fastai learner vs the tutorial plain loop (real images/s)',
             f'{f:.0f} vs {p:.0f}', f'{f/p:.2f}x; {1e3*med(fa, "s_per_batch"):.2f} vs {1e3*med(pl, "s_per_batch"):.2f} '
             f'ms/batch; medians of {c["rounds"]} interleaved'),
            ('DCGAN learner, cuDNN deterministic (as `train` sets it, for exact repeats) vs default (real images/s)',
             f'{d:.0f} vs {f:.0f}', f'{d/f:.2f}x')]
    return rows, dict(plain=pl, learner=fa, deterministic=det)

def loader_vs_step(c, dls, step_s, device):
    "Milliseconds per batch of the loader alone (cache → device → float, normalise, zoom) against a training step"
    it = iter(dls.train); next(it)
    k = min(c['n'], len(dls.train) - 1)
    sync(device); t = time.perf_counter()
    for _ in itertools.islice(it, k): pass
    sync(device); load = (time.perf_counter() - t)/k
    return [(f'loader alone vs DCGAN training step, {c["size"]} px, bs {c["bs"]} (ms/batch)',
             f'{1e3*load:.2f} vs {1e3*step_s:.2f}', f'data is {100*load/step_s:.0f}% of a step; '
             'the loader runs in the training process (num_workers 0)')], dict(load_s=load, step_s=step_s)

class EpochClock(Callback):
    "Seconds of each epoch's training batches (from the first batch to the last) and of the whole epoch, end to end"
    order = 99   # after `Checkpoint` (90): an epoch's end is when everything of it is written
    def before_fit(self): self.batches, self.whole, self.last = [], [], time.perf_counter()
    def before_train(self): self.t0 = None
    def before_batch(self):
        if self.training and self.t0 is None: sync(self.dls.device); self.t0 = time.perf_counter()
    def after_train(self): sync(self.dls.device); self.batches.append(time.perf_counter() - self.t0)
    def after_epoch(self): t = time.perf_counter(); self.whole.append(t - self.last); self.last = t

def epoch_overhead(c, cache, tmp, device):
    "`train`'s work around the batches each epoch (grid, collapse check, losses CSV, checkpoint) against the batches"
    rows, raw = [], {}
    for arch in ('dcgan', 'wgan'):
        clock = EpochClock()
        train(RunConfig(arch, cache, size=c['size'], bs=c['bs'], epochs=4), tmp/f'epochs_{arch}', device=device,
              num_workers=0, cbs=[clock])
        b, w = statistics.median(clock.batches[1:]), statistics.median(clock.whole[1:])
        rows.append((f'`train` {arch}, an epoch of {c["limit"]} images at {c["size"]} px: its batches vs the whole epoch (s)',
                     f'{b:.2f} vs {w:.2f}', f'{100*(w - b)/w:.0f}% of the epoch around the batches (grid, collapse check, '
                     'CSVs, checkpoint); medians of epochs 2-4'))
        raw[arch] = dict(batches=clock.batches, whole=clock.whole)
    return rows, raw

def fid_cost(c, cache, tmp, device):
    "`FIDCallback`'s seconds per epoch: a fit of one short epoch with the callback, minus the same fit without it"
    os.environ['TORCH_HOME'] = str(tmp/'th'); write_random_fid_weights(tmp/'th')
    dls = gan_dls(cache, size=c['size'], bs=c['bs'], device=device, num_workers=0)
    def epoch(cbs):
        torch.manual_seed(0)
        learn = dcgan_learner(dls, c['size'])
        sync(device); t = time.perf_counter()
        with learn.no_bar(), learn.no_logging(): learn.fit(1, 2e-4, cbs=cbs)
        sync(device); return time.perf_counter() - t
    inc = InceptionFeatures()
    mk = lambda: FIDCallback(real=cache, extractor=inc, n=c['fid_n'], cache_dir=tmp/'stats', device=device)
    epoch([]); base = epoch([])
    cold, warm = epoch([mk()]), epoch([mk()])   # the second finds the real statistics cached
    return [(f'FIDCallback per epoch, {c["fid_n"]} samples, random-weights Inception (s)',
             f'{warm - base:.1f} warm / {cold - base:.1f} cold', f'real statistics cached vs computed; the epoch itself '
             f'{base:.1f} s')], dict(base=base, cold=cold, warm=warm)

def ddp_worker(arch, data, out, backend, sync_bn, size, bs):
    "One rank of the torchrun check (run by this script under torchrun): `train` through rank 0's sampling path"
    import torch.distributed as dist
    device = 'cuda:0' if torch.cuda.is_available() else 'cpu'
    if backend == 'gloo': dist.init_process_group('gloo')   # two ranks on one GPU: NCCL refuses, gloo does not
    try: train(RunConfig(arch, data, size=size, bs=bs, epochs=2, sync_bn=bool(sync_bn), backbone='resnet18'), out,
               device=device, num_workers=0, n_samples=16)
    finally:
        if dist.is_initialized(): dist.destroy_process_group()

def torchrun(c, cache, tmp, device):
    "torchrun checks: (name, command, expect success)"
    py, here = sys.executable, str(Path(__file__).resolve())
    run = lambda n, *a: [py, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(n), *map(str, a)]
    s, b = c['size'], c['bs']
    checks = [('torchrun, 2 processes, gloo' + (' on one GPU, --sync-bn' if device.type == 'cuda' else ' on CPU') +
               ': rank-0 grids and collapse check, 2 epochs',
               run(2, here, '--ddp-worker', 'dcgan', cache, tmp/'ddp2', 'gloo', int(device.type == 'cuda'), s, b), True,
               c['nproc_timeout'])]
    if device.type == 'cuda':
        for sb in (False, True):
            checks.append((f'torchrun, 1 process, NCCL{", --sync-bn" if sb else ""}: lsun_gan.train dcgan, 1 epoch',
                           run(1, '-m', 'lsun_gan.train', 'dcgan', cache, '--out', tmp/f'nccl1{sb}', '--size', s, '--bs', b,
                               '--epochs', 1, '--workers', 0, *(['--sync-bn'] if sb else [])), True, c['nproc_timeout']))
        checks.append(('torchrun, 2 processes, NCCL on one GPU (--device cuda:0): does NCCL allow it?',
                       run(2, '-m', 'lsun_gan.train', 'dcgan', cache, '--out', tmp/'nccl2', '--size', s, '--bs', b,
                           '--epochs', 1, '--workers', 0, '--device', 'cuda:0'), None, 90))
    rows, raw = [], {}
    for name, cmd, expect, timeout in checks:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                             cwd=ROOT, env={**os.environ, 'PYTHONPATH': os.pathsep.join(
                                 [str(ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])})
        try: log, hung = p.communicate(timeout=timeout)[0], False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9); log, hung = p.communicate()[0], True
        secs, tail = time.perf_counter() - t, ' / '.join(l for l in log.strip().splitlines()[-4:])[-400:]
        ok = not hung and p.returncode == 0
        verdict = ('HUNG' if hung else 'passed' if ok else 'FAILED') if expect else ('works' if ok else 'refused')
        rows.append((name, verdict, f'{secs:.0f} s' + ('' if ok and expect else f'; {tail}')))
        raw[name] = dict(rc=p.returncode, hung=hung, seconds=secs, log=log[-4000:])
    return rows, raw

def pytest_gpu(c, device):
    "tests/test_gpu.py: its summary line, and the failures' last lines"
    p = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-rs', 'tests/test_gpu.py', '-p', 'no:cacheprovider'], cwd=ROOT,
                       capture_output=True, text=True, timeout=c['test_timeout'])
    last = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-300:]
    detail = '' if p.returncode == 0 else ' / '.join(l for l in p.stdout.splitlines() if l.startswith(('E ', 'FAILED')))[-600:]
    return [('GPU tests (tests/test_gpu.py)', 'passed' if p.returncode == 0 else 'FAILED', f'{last} {detail}'.strip())], \
        dict(rc=p.returncode, out=p.stdout[-6000:])

def notebooks_cuda(c, timeout):
    "The notebooks with `cuda`-flagged cells, run by nbdev_test with that flag on (side by side)"
    nbs = [p for p in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')) if '#| cuda' in p.read_text()]
    exe = shutil.which('nbdev_test') or str(Path(sys.executable).with_name('nbdev_test'))
    procs = {nb: subprocess.Popen([exe, '--flags', 'cuda', '--path', str(nb)], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, start_new_session=True) for nb in nbs}
    rows, raw, t0 = [], {}, time.perf_counter()
    for nb, p in procs.items():
        try: log = p.communicate(timeout=max(1, timeout - (time.perf_counter() - t0)))[0]; verdict = 'passed' if p.returncode == 0 else 'FAILED'
        except subprocess.TimeoutExpired: os.killpg(p.pid, 9); log = p.communicate()[0]; verdict = 'not finished'
        tail = ' / '.join(log.strip().splitlines()[-3:])[-400:]
        rows.append((f'notebook {nb.name} with its cuda cells (nbdev_test --flags cuda)', verdict,
                     f'{time.perf_counter() - t0:.0f} s' + ('' if verdict == 'passed' else f'; {tail}')))
        raw[nb.name] = log[-4000:]
    return rows, raw

def table(rows) -> str:
    out = ['| check | result | detail |', '|---|---|---|']
    return '\n'.join(out + ['| ' + ' | '.join(str(x).replace('|', '/') for x in r) + ' |' for r in rows])

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out'); ap.add_argument('--data'); ap.add_argument('--smoke', action='store_true')
    ap.add_argument('--minutes', type=float, default=8.)
    ap.add_argument('--only', help='run only these sections, comma-separated (default: all): ' + ', '.join(SECTIONS))
    ap.add_argument('--notebooks', action=argparse.BooleanOptionalAction, default=None,
                    help='run the cuda notebook cells (default: on a GPU, not with --smoke)')
    a = ap.parse_args()
    t_end = time.perf_counter() + 60*a.minutes
    c, out = SMOKE if a.smoke else FULL, Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    device = torch.device('cpu' if a.smoke or not torch.cuda.is_available() else 'cuda')
    data = Path(a.data) if a.data else sample_path(ROOT)
    if data is None: sys.exit("bench/gpu.py: no images: pass --data (a folder of images or a prepared cache)")
    tmp = Path(tempfile.mkdtemp())
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'
    import fastai
    rows = [('machine', device.type, f'{gpu}; {os.cpu_count()} cores; Python {platform.python_version()}, torch '
             f'{torch.__version__} (CUDA {torch.version.cuda}), fastai {fastai.__version__}; data {data.name}; '
             f'{"smoke" if a.smoke else "full"} sizes')]
    raw = dict(config=c, device=str(device), gpu=gpu)
    def section(name, f, *args):
        if a.only and name not in a.only.split(','): return None
        left = t_end - time.perf_counter()
        if left < 20: rows.append((name, 'not run', f'{a.minutes} min were spent')); return None
        t = time.perf_counter()
        try:
            r, extra = f(*args)
            rows.extend(r); raw[name] = extra
            print(table(r).split('\n', 2)[2], f'   [{time.perf_counter() - t:.0f} s]', flush=True)
            return extra
        except Exception as e:
            tb = traceback.format_exc().strip().splitlines()
            rows.append((name, 'FAILED', f'{type(e).__name__}: {e}'[:300] + ' / ' + ' / '.join(tb[-3:])[-300:]))
            print(tb and '\n'.join(tb[-15:]), flush=True)
            return None
    try:
        cache = data if (data/'meta.json').exists() else prepare(data, tmp/'cache', size=c['size'], limit=c['limit'],
                                                                 verbose=False).path
        section('tests', pytest_gpu, c, device)
        section('torchrun', torchrun, c, cache, tmp, device)
        section('throughput', throughput, c, cache, tmp, device)
        lp = section('plain', learner_vs_plain, c, cache, device)
        if lp is not None:   # the loader against the learner's step just measured
            dls = gan_dls(cache, size=c['size'], bs=c['bs'], device=device, num_workers=0)
            section('loader', loader_vs_step, c, dls, statistics.median(m['s_per_batch'] for m in lp['learner']), device)
        section('fid', fid_cost, c, cache, tmp, device)
        section('epochs', epoch_overhead, c, cache, tmp, device)
        if a.notebooks or (a.notebooks is None and device.type == 'cuda'):
            section('notebooks', lambda: notebooks_cuda(c, t_end - time.perf_counter() - 10))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        (out/'gpu.md').write_text(table(rows) + '\n')
        (out/'gpu.json').write_text(json.dumps(dict(rows=rows, raw=raw), indent=1, default=str))
    print('\n' + table(rows))
    failed = [r for r in rows if r[1] in ('FAILED', 'HUNG')]
    print(f"\n{len(failed)} failed; written to {out/'gpu.md'} and {out/'gpu.json'}")
    sys.exit(1 if failed else 0)

if __name__ == '__main__':
    if sys.argv[1:2] == ['--ddp-worker']:
        arch, data, out, backend, sync_bn, size, bs = sys.argv[2:9]
        ddp_worker(arch, data, out, backend, bool(int(sync_bn)), int(size), int(bs))
    else: main()
