"""Data-parallel training on 2 CPU processes (gloo), launched by torchrun as a user would: every rank ends with the same
weights, equal to one process with the same global batch; one process writes; resume continues on every rank."""
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch
from conftest import ROOT

RUN = Path(__file__).with_name('ddp_run.py')
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}
pytestmark = pytest.mark.long   # torchrun launches of two ranks: minutes

def torchrun(*args, n:int=2):
    "Run `args` (a script and its arguments, or `-m module ...`) on `n` processes"
    r = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(n),
                        *map(str, args)], capture_output=True, text=True, env=ENV, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r

def load(path): return torch.load(path, weights_only=True)

def assert_same(a, b, **tol):
    for net in ('generator', 'critic'):
        assert a[net].keys() == b[net].keys()
        for k in a[net]: torch.testing.assert_close(a[net][k], b[net][k], **tol, msg=f'{net}.{k}')

@pytest.mark.parametrize('mode', ['wgan', 'dcgan', 'threshold'])
def test_two_ranks_equal_one_process_with_the_global_batch(mode, tmp_path):
    "BatchNorm-free networks on fixed items: 2 ranks × batch 4 take the very steps of 1 process × batch 8"
    (tmp_path/'one').mkdir(); (tmp_path/'two').mkdir()
    r = subprocess.run([sys.executable, RUN, 'toy', mode, '8', tmp_path/'one'], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr[-3000:]
    torchrun(RUN, 'toy', mode, 4, tmp_path/'two')
    one, r0, r1 = (load(p) for p in (tmp_path/'one'/'rank0.pt', tmp_path/'two'/'rank0.pt', tmp_path/'two'/'rank1.pt'))
    assert (one['world'], r0['world']) == (1, 2)
    assert_same(r0, r1, rtol=0, atol=0)               # DDP: the very same weights on both ranks
    assert_same(one, r0, rtol=1e-4, atol=1e-6)        # float sums in another order: within rounding
    assert [m for _, m, _ in one['steps']] == [m for _, m, _ in r0['steps']]   # same switches, the threshold's too
    torch.testing.assert_close([l for *_, l in r0['steps']], [l for *_, l in one['steps']], rtol=1e-4, atol=1e-6)
    assert one['real_seen'] == r0['real_seen']        # images counted over all ranks
    if mode == 'threshold':   # the test means something only if the threshold decided both ways
        modes = ''.join(m[0] for _, m, _ in one['steps'])
        assert 'cc' in modes and 'cg' in modes, modes
    assert not any(torch.allclose(one['start'][k], one['generator'][k]) for k in one['start'])   # they trained

@pytest.mark.parametrize('arch', ['wgan', 'dcgan', 'gan'])
def test_torchrun_trains_resumes_and_writes_once(arch, sample, tmp_path):
    "Each approach with its real networks, 2 ranks: same weights on both, one set of files, resume on both ranks"
    from lsun_gan.cache import prepare
    data = prepare(sample, tmp_path/'c32', size=32, limit=96, verbose=False).path
    out = tmp_path/'run'
    r = torchrun(RUN, 'real', arch, data, out, 1)
    r0, r1 = load(out/'rank0.pt'), load(out/'rank1.pt')
    assert_same(r0, r1, rtol=0, atol=0)
    assert r.stdout.count('epoch 1/1  ') == 1, r.stdout   # rank 0 prints for both
    from lsun_gan.train import load_checkpoint
    ck = load_checkpoint(out/'ckpt.pth')
    assert ck['epoch'] == 1 and isinstance(ck['rng'], list) and len(ck['rng']) == 2
    assert {p.name for p in out.iterdir()} >= {'ckpt.pth', 'config.json', 'losses.csv', 'metrics.csv', 'samples'}
    assert not any('.tmp' in p.name for p in out.rglob('*'))
    for k, v in r0['generator'].items(): torch.testing.assert_close(ck['generator'][k], v, rtol=0, atol=0)
    # resume for one more epoch: both ranks go on from the checkpoint, and stay together
    r = torchrun(RUN, 'real', arch, data, out, 2, 'resume')
    q0, q1 = load(out/'rank0.pt'), load(out/'rank1.pt')
    assert_same(q0, q1, rtol=0, atol=0)
    assert load_checkpoint(out/'ckpt.pth')['epoch'] == 2 and r.stdout.count('epoch 2/2  ') == 1
    assert q0['steps'][:len(r0['steps'])] == r0['steps'] and len(q0['steps']) > len(r0['steps'])

def test_torchrun_the_command_line(sample, tmp_path):
    "`torchrun -m lsun_gan.train` as the docs give it: one epoch line, one checkpoint, no warnings from inside"
    from lsun_gan.cache import prepare
    data = prepare(sample, tmp_path/'c32', size=32, limit=64, verbose=False).path
    r = torchrun('-m', 'lsun_gan.train', 'dcgan', data, '--out', tmp_path/'run', '--size', 32, '--bs', 8, '--epochs', 1,
                 '--workers', 0, '--device', 'cpu', '--no-collapse')
    assert r.stdout.count('epoch 1/1  ') == 1 and 'real_images 64' in r.stdout, r.stdout
    assert 'Warning' not in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert (tmp_path/'run'/'ckpt.pth').exists()

def test_sync_bn_needs_gpus(sample, tmp_path):
    r = subprocess.run([sys.executable, '-m', 'lsun_gan.train', 'dcgan', sample, '--out', tmp_path/'r', '--sync-bn',
                        '--device', 'cpu'], capture_output=True, text=True, env=ENV)
    assert r.returncode == 2 and '--sync-bn needs GPUs' in r.stderr and 'Traceback' not in r.stderr, r.stderr

def torchrun_bounded(*args, timeout:int, n:int=2):
    "`torchrun` of `args` that must end within `timeout` seconds: a hang kills the whole process group and fails"
    p = subprocess.Popen([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(n),
                          *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                         start_new_session=True)
    try: out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9); p.communicate()
        pytest.fail(f"torchrun {' '.join(map(str, args))} hung for {timeout} s")
    return p.returncode, out, err

def test_a_nan_on_one_rank_stops_every_rank_alike(sample, tmp_path):
    "The critic of rank 1 alone turns NaN: both ranks stop at the same step with the same message, and none hangs"
    from lsun_gan.cache import prepare
    data = prepare(sample, tmp_path/'c32', size=32, limit=64, verbose=False).path
    rc, out, err = torchrun_bounded(RUN, 'nan', data, tmp_path/'run', timeout=240)
    assert rc == 0, out[-3000:] + err[-3000:]
    m0, m1 = ((tmp_path/'run'/f'rank{r}.txt').read_text() for r in (0, 1))
    assert m0 == m1 and 'critic loss is nan at epoch 1, batch 3' in m0, (m0, m1)

@pytest.mark.parametrize('arch,budget,per_batch', [('dcgan', 'images', dict(all_reduce=2)),
                                                   ('wgan', 'seconds', dict(all_reduce=2))])
def test_collectives_per_batch(arch, budget, per_batch, sample, tmp_path):
    """On each training batch lsun_gan calls only the collectives it needs: one loss average per step (DCGAN takes a
    critic and a generator step on each batch, WGAN one step), one flag for a time budget (clocks differ between
    ranks; image and step counts do not), and no gather of fastai's smoothed loss; DDP's gradient average is its own"""
    from lsun_gan.cache import prepare
    data = prepare(sample, tmp_path/'c32', size=32, limit=96, verbose=False).path
    rc, out, err = torchrun_bounded(RUN, 'count', arch, data, tmp_path/'run', budget, timeout=300)
    assert rc == 0, out[-3000:] + err[-3000:]
    c = json.loads((tmp_path/'run'/'counts.json').read_text())
    assert c['batches'] >= 6, c   # 96 real images in batches of 8 on each of 2 ranks
    assert c['calls'] == {k: v*c['batches'] for k, v in per_batch.items()}, c
