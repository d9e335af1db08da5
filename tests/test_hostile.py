"""Hostile input and faults (issue 23): each case runs a command's function in this process as `launch.main` does,
and checks the exit code, one line naming the file or option, nothing written outside the output folder, no process
left behind, and a time bound on what used to hang."""
import os, sys, json, time, threading
from pathlib import Path
import numpy as np, pytest
from conftest import bounded, run_cli, children, one_line

def files_under(p:Path) -> set: return {f for f in Path(p).rglob('*')}

@pytest.fixture
def imgs(sample, tmp_path):
    "A folder of 24 links to real LSUN JPEGs"
    d = tmp_path/'imgs'; d.mkdir()
    for f in sorted(sample.iterdir())[:24]: (d/f.name).symlink_to(f)
    return d

# ---- 1. Silent data loss: a damaged cache is not reported complete
def _unfinish(dest:Path):
    "Make the finished cache `dest` look like a run killed after its last chunk"
    meta = json.loads((dest/'meta.json').read_text())
    (dest/'state.json').write_text(json.dumps({k: meta[k] for k in ('key', 'src', 'size', 'n_items', 'version')}))
    (dest/'meta.json').unlink()

def test_prepare_resume_redoes_a_truncated_cache(imgs, tmp_path, capsys):
    from lsun_gan.cache import prepare, ImageCache
    clean = np.array(prepare(imgs, tmp_path/'clean', size=32, n_workers=0, chunk_sz=4, verbose=False).images)
    k = tmp_path/'k'; prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False); _unfinish(k)
    os.truncate(k/'images.npy', 50000)
    with pytest.warns(UserWarning, match='truncated'):
        c = prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False)
    assert (np.asarray(c.images) == clean).all() and len(c) == 24

def test_prepare_resume_redoes_chunks_that_differ_from_their_digest(imgs, tmp_path, capsys):
    from lsun_gan.cache import prepare
    clean = np.array(prepare(imgs, tmp_path/'clean', size=32, n_workers=0, chunk_sz=4, verbose=False).images)
    k = tmp_path/'k'; prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False); _unfinish(k)
    mm = np.load(k/'images.npy', mmap_mode='r+'); mm[5:7] = 0; mm.flush(); del mm   # zeroed in place, size kept
    with pytest.warns(UserWarning, match='1 chunks'):
        c = prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False)
    assert (np.asarray(c.images) == clean).all()

def test_prepare_verify_checks_and_repairs_a_finished_cache(imgs, tmp_path, capsys):
    from lsun_gan.cache import prepare
    k = tmp_path/'k'; clean = np.array(prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False).images)
    assert run_cli('lsun_gan_prepare', imgs, k, '--size', 32, '--workers', 0, '--chunk', 4, '--verify')[0] == 0
    assert 'is verified' in capsys.readouterr().out
    mm = np.load(k/'images.npy', mmap_mode='r+'); mm[20] = 7; mm.flush(); del mm
    code, err = run_cli('lsun_gan_prepare', imgs, k, '--size', 32, '--workers', 0, '--chunk', 4, '--verify',
                        capsys=capsys)
    assert code == 0; one_line(err, 'warning', k, '1 chunks differ', '0 rows have none')
    assert (np.load(k/'images.npy') == clean).all()

# ---- 1. compare: one process per --out; a name once; a finished run only for the same config
TINY = "base: {size: 32, bs: 8, budget_gen_steps: 1, n_eval: 8}\n"

def test_compare_locks_its_out(imgs, tmp_path, capsys):
    from lsun_gan.core import FolderLock
    (tmp_path/'c.yaml').write_text(TINY + "runs: [{arch: dcgan}]\n")
    with FolderLock(tmp_path/'out', 'another lsun_gan_compare'):
        code, err = run_cli('lsun_gan_compare', tmp_path/'c.yaml', '--data', imgs, '--out', tmp_path/'out',
                            '--workers', 0, capsys=capsys)
    assert code == 2; one_line(err, 'out', 'already in use')
    assert not (tmp_path/'out'/'dcgan').exists()

def test_compare_refuses_a_finished_run_of_another_config(imgs, tmp_path, capsys):
    "A summary without the config's key (another config, or an older lsun_gan) is not shown as this config's result"
    run = tmp_path/'out'/'dcgan'; run.mkdir(parents=True)
    (run/'summary.json').write_text(json.dumps(dict(config=dict(name='dcgan', arch='dcgan', lr=1e-4))))
    (tmp_path/'c.yaml').write_text(TINY + "runs: [{arch: dcgan, lr: 0.005}]\n")
    code, err = run_cli('lsun_gan_compare', tmp_path/'c.yaml', '--data', imgs, '--out', tmp_path/'out', '--workers', 0,
                        capsys=capsys)
    assert code == 2; one_line(err, run, 'another config')
    assert not (tmp_path/'out'/'results.csv').exists()

def test_config_key_changes_with_config_data_and_evaluation(tmp_path):
    from lsun_gan.experiment import _config_key, make_config
    a = make_config(arch='dcgan', size=32)
    keys = {_config_key(a, tmp_path), _config_key({**a, 'n_eval': 5}, tmp_path), _config_key(a, tmp_path/'x'),
            _config_key({**a, 'budget_seconds': 9}, tmp_path), _config_key(a, tmp_path, lpips_net=object())}
    assert len(keys) == 5 and _config_key(a, tmp_path) == _config_key(dict(a), str(tmp_path))

BOMB = "sweep:\n  a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + ''.join(   # 9**7 values once expanded (the issue's: 9**10)
    f"  a{i}: &a{i} [{', '.join([f'*a{i-1}']*9)}]\n" for i in range(1, 7)) + "  lr: [*a6]\n"

@pytest.mark.parametrize('text,words', [
    (None, ['does not exist']), ('', ['mapping']), ('runs: [{arch: dcgan]\n', ['not valid YAML']),
    ('- {arch: dcgan}\n', ['mapping', 'list']), ('runs: [1]\n', ['run 1']), ('runs: {arch: dcgan}\n', ['runs']),
    ('runs: [{arch: dcgan, lr: abc}]\n', ['lr']), ('runs: [{arch: dcgan, bs: "16"}]\n', ['bs']),
    ('runs: [{arch: dcgan, n_eval: 0}]\n', ['n_eval']), ('runs: [{arch: dcgan, lr: 0}]\n', ['lr']),
    ('runs: [{arch: dcgan, budget_seconds: -1}]\n', ['budget_seconds']),
    ('runs: [{arch: dcgan, lr: 1.0e-4}, {arch: dcgan, lr: 5.0e-3}]\n', ['dcgan', 'more than once']),
    ('runs: [{arch: dcgan, nf: [[1]]}]\n', ['nf']), (BOMB, ['sweep a1', 'plain values']),
])
def test_compare_bad_config_files(imgs, tmp_path, capsys, text, words):
    "Every mistake in a config file: one line naming the file and the key, before any run starts, in a second"
    cfg = tmp_path/'c.yaml'
    if text is not None: cfg.write_text(text)
    t0 = time.monotonic()
    code, err = run_cli('lsun_gan_compare', cfg, '--data', imgs, '--out', tmp_path/'out', '--workers', 0, capsys=capsys,
                        within=20)
    assert code == 2 and time.monotonic() - t0 < 10; one_line(err, cfg, *words)
    assert not (tmp_path/'out').exists()

def test_compare_config_file_is_a_folder(imgs, tmp_path, capsys):
    code, err = run_cli('lsun_gan_compare', tmp_path, '--data', imgs, '--out', tmp_path/'out', capsys=capsys)
    assert code == 2; one_line(err, tmp_path, 'not a file')

# ---- 1. a run inside its own data; crappify again with other settings
def test_train_refuses_out_inside_its_image_folder(imgs, tmp_path, capsys):
    before = files_under(imgs)
    code, err = run_cli('lsun_gan_train', 'dcgan', imgs, '--out', imgs/'run', '--size', 32, '--bs', 8, '--workers', 0,
                        capsys=capsys)
    assert code == 2; one_line(err, '--out', imgs)
    assert files_under(imgs) == before

def test_train_refuses_out_inside_the_folder_a_cache_was_prepared_from(imgs, tmp_path, capsys):
    from lsun_gan.cache import prepare
    prepare(imgs, tmp_path/'c', size=32, n_workers=0, verbose=False)
    code, err = run_cli('lsun_gan_train', 'dcgan', tmp_path/'c', '--out', imgs/'sub'/'run', '--size', 32, '--bs', 8,
                        '--workers', 0, capsys=capsys)
    assert code == 2; one_line(err, '--out', imgs.resolve())
    assert not (imgs/'sub').exists()

def test_crappify_again_with_other_settings_is_refused(imgs, tmp_path, capsys):
    d = tmp_path/'crap'
    assert run_cli('lsun_gan_crappify', imgs, d, '--size', 32, '--workers', 0, capsys=capsys)[0] == 0
    before = {f: f.read_bytes() for f in d.glob('*.jpg')}
    for args in (['--size', 48], ['--seed', 7]):
        code, err = run_cli('lsun_gan_crappify', imgs, d, *args, '--workers', 0, capsys=capsys)
        assert code == 2; one_line(err, d, 'other settings', 'size 32')
    assert {f: f.read_bytes() for f in d.glob('*.jpg')} == before and len(before) == 24
    assert run_cli('lsun_gan_crappify', imgs, d, '--size', 32, '--workers', 0, capsys=capsys)[0] == 0

# ---- 2. Hangs
def test_crappify_size_is_bounded(imgs, tmp_path, capsys):
    code, err = run_cli('lsun_gan_crappify', imgs, tmp_path/'c', '--size', 100000, capsys=capsys, within=10)
    assert code == 2; one_line(err, '--size', '256')
    assert not (tmp_path/'c').exists()

def test_worker_pools_are_bounded_by_the_cores():
    from lsun_gan.cache import worker_pool
    with worker_pool(100000) as ex: assert ex._max_workers == os.cpu_count()

def test_prepare_workers_bounded_by_the_work(imgs, tmp_path, capsys, monkeypatch):
    import lsun_gan.cache as cache
    sizes, pool = [], cache.worker_pool
    def spy(n, lock=None): sizes.append(n); return pool(n, lock)
    monkeypatch.setattr(cache, 'worker_pool', spy)
    cache.prepare(imgs, tmp_path/'k', size=32, n_workers=100000, chunk_sz=16, verbose=False)
    assert sizes == [2]

def _fifo_folder(imgs:Path, d:Path) -> Path:
    from PIL import Image
    d.mkdir()
    for i in range(6):
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (32, 32, 3), np.uint8)).save(d/f'{i}.png')
    os.mkfifo(d/'p.jpg')
    return d

def test_crappify_skips_a_fifo(imgs, tmp_path, capsys):
    src = _fifo_folder(imgs, tmp_path/'src')
    code, err = run_cli('lsun_gan_crappify', src, tmp_path/'c', '--size', 32, '--workers', 0, capsys=capsys, within=30)
    assert code == 0 and len(list((tmp_path/'c').glob('*.jpg'))) == 6

def test_eval_skips_a_fifo_and_reads_each_file_once(imgs, tmp_path, capsys):
    from lsun_gan.metrics import eval_files
    (tmp_path/'e').mkdir(); src = _fifo_folder(imgs, tmp_path/'e'/'src')
    (src/'self').symlink_to('.'); (src/'up').symlink_to('..')
    assert len(bounded(lambda: eval_files(src), 10, 'eval_files')) == 6
    code, err = run_cli('lsun_gan_eval', src, src, '--metrics', 'swd', '--no_cache', capsys=capsys, within=60)
    assert code == 0, err[-2000:]

# ---- 1./3. caches after a kill, overlapping sources
def test_prepare_resume_after_images_npy_was_deleted(imgs, tmp_path, capsys):
    from lsun_gan.cache import prepare
    k = tmp_path/'k'; clean = np.array(prepare(imgs, k, size=32, n_workers=0, chunk_sz=4, verbose=False).images)
    _unfinish(k); (k/'images.npy').unlink()
    code, err = run_cli('lsun_gan_prepare', imgs, k, '--size', 32, '--workers', 0, '--chunk', 4, capsys=capsys)
    assert code == 0 and (np.load(k/'images.npy') == clean).all()

@pytest.mark.parametrize('content', ['[1, 2]', '{"version": 3}'])
def test_prepare_state_json_not_a_state(imgs, tmp_path, capsys, content):
    k = tmp_path/'k'; k.mkdir(); (k/'state.json').write_text(content)
    code, err = run_cli('lsun_gan_prepare', imgs, k, '--size', 32, '--workers', 0, capsys=capsys)
    assert code == 2; one_line(err, k/'state.json', 'corrupt')

def test_prepare_refuses_a_source_inside_another(imgs, tmp_path, capsys):
    ov = tmp_path/'ov'; (ov/'sub').mkdir(parents=True)
    for i, f in enumerate(sorted(imgs.iterdir())[:6]): (ov/('sub' if i % 2 else '.')/f.name).symlink_to(f.resolve())
    code, err = run_cli('lsun_gan_prepare', ov, ov/'sub', tmp_path/'k', '--size', 32, '--workers', 0, capsys=capsys)
    assert code == 2; one_line(err, ov/'sub', 'inside')
    assert not (tmp_path/'k').exists()

def test_atomic_names_the_real_file(tmp_path):
    from lsun_gan.core import write_json
    (tmp_path/'r.json').mkdir()   # a folder in the way: the rename fails
    with pytest.raises(OSError) as e: write_json(tmp_path/'r.json', {})
    assert e.value.filename == str(tmp_path/'r.json') and '.tmp' not in str(e.value)

# ---- 3. One line for every user mistake
@pytest.mark.parametrize('args,words', [(['--workers', -1], ['--workers']),
                                        (['--seed', 99999999999999999999], ['seed must be between']),
                                        (['--nf', 100000], ['nf 100000', '1024'])])
def test_train_bad_options(imgs, tmp_path, capsys, args, words):
    code, err = run_cli('lsun_gan_train', 'dcgan', imgs, '--out', tmp_path/'run', '--size', 32, '--bs', 8, *args,
                        capsys=capsys, within=30)
    assert code == 2; one_line(err, *words)
    assert not (tmp_path/'run').exists()

def test_eval_bad_n_and_out_json(tmp_path, capsys):
    from PIL import Image
    (tmp_path/'a').mkdir()
    for i in range(4): Image.new('RGB', (16, 16), (i*40, 0, 0)).save(tmp_path/'a'/f'{i}.png')
    code, err = run_cli('lsun_gan_eval', tmp_path/'a', tmp_path/'a', '--metrics', 'swd', '--n', 0, capsys=capsys)
    assert code == 2; one_line(err, '--n')
    code, err = run_cli('lsun_gan_eval', tmp_path/'a', tmp_path/'a', '--metrics', 'swd', '--out_json',
                        tmp_path/'no'/'r.json', capsys=capsys)
    assert code == 2; one_line(err, '--out_json', tmp_path/'no'/'r.json')

def test_a_damaged_stats_cache_entry_is_recomputed_and_a_users_npz_is_one_line(tmp_path, capsys):
    from PIL import Image
    from lsun_gan.metrics import real_stats, PixelFeatures, load_stats
    from lsun_gan.core import UsageError
    (tmp_path/'a').mkdir()
    for i in range(4): Image.new('RGB', (16, 16), (i*40, 9, 0)).save(tmp_path/'a'/f'{i}.png')
    cache = tmp_path/'stats'
    mu, sigma, n = real_stats(tmp_path/'a', PixelFeatures(), cache_dir=cache, progress=False)
    (f,) = cache.glob('*.npz'); os.truncate(f, f.stat().st_size//2)
    with pytest.warns(UserWarning, match='computing them again'):
        mu2, _, n2 = real_stats(tmp_path/'a', PixelFeatures(), cache_dir=cache, progress=False)
    assert np.allclose(mu, mu2) and n == n2 and load_stats(f)[2] == n
    os.truncate(f, f.stat().st_size//2)
    with pytest.raises(UsageError, match='not a .npz of FID statistics'): load_stats(f)

def test_file_names_that_are_not_utf8(imgs, tmp_path, capsys, monkeypatch):
    "prepare, crappify and eval take a file whose name is not UTF-8 (its bytes), as any other"
    from lsun_gan.cache import ImageCache
    src = tmp_path/'src'; src.mkdir()
    for f in sorted(imgs.iterdir())[:3]: (src/f.name).symlink_to(f.resolve())
    os.symlink(sorted(imgs.iterdir())[3].resolve(), os.fsencode(src) + b'/bad\xff.jpg')
    assert run_cli('lsun_gan_prepare', src, tmp_path/'k', '--size', 32, '--workers', 0, capsys=capsys)[0] == 0
    assert len(ImageCache(tmp_path/'k')) == 4 and 'bad\udcff.jpg' in ImageCache(tmp_path/'k').items
    assert run_cli('lsun_gan_crappify', src, tmp_path/'c', '--size', 32, '--workers', 0, capsys=capsys)[0] == 0
    assert os.path.exists(os.fsencode(tmp_path/'c') + b'/bad\xff.jpg')
    from PIL import Image
    e = tmp_path/'e'; e.mkdir(); monkeypatch.setenv('HOME', str(tmp_path/'home'))   # the statistics cache goes there
    for i, name in enumerate([b'a.png', b'b.png', b'bad\xff.png']):
        Image.new('RGB', (16, 16), (i*60, 9, 0)).save(os.fsencode(e) + b'/' + name)
    code, err = run_cli('lsun_gan_eval', e, e, '--metrics', 'fid', '--features', 'pixels', capsys=capsys)
    assert code == 0 and len(list((tmp_path/'home').rglob('*.npz'))) == 1, err[-1500:]

# ---- 3. Checkpoints handed to lsun_gan_sample
def _ckpt(path, config, nan=False, payload=None):
    "A well-formed checkpoint (a right SHA-256) of a small DCGAN generator with `config`; or of the bytes `payload`"
    import hashlib, torch
    from lsun_gan.train import save_checkpoint, make_generator, CKPT_FORMAT
    if payload is not None:
        p = torch.frombuffer(bytearray(payload), dtype=torch.uint8)
        return torch.save(dict(format=CKPT_FORMAT, sha256=hashlib.sha256(payload).hexdigest(), payload=p), path)
    G = make_generator('dcgan', 32, 100, 8)
    if nan: next(iter(G.parameters())).data[0] = float('nan')
    save_checkpoint(dict(config=config, generator=G.state_dict(), ema=None), path)

GOOD = dict(arch='dcgan', data='/nowhere', size=32, nz=100, nf=8, stats='gan')

@pytest.mark.parametrize('config,words', [(dict(GOOD, arch='xyz'), ['arch']), (None, ['no run configuration']),
                                          (dict(GOOD, nz=-5), ['nz']), ([1, 2], ['no run configuration']),
                                          (dict(GOOD, nf=40000), ['nf']), (dict(GOOD, nf=16), ['do not fit'])])
def test_sample_checks_a_checkpoints_config(tmp_path, capsys, config, words):
    _ckpt(tmp_path/'c.pth', config)
    code, err = run_cli('lsun_gan_sample', tmp_path/'c.pth', '--n', 4, '--out', tmp_path/'g.png', capsys=capsys)
    assert code == 2; one_line(err, tmp_path/'c.pth', *words)
    assert not (tmp_path/'g.png').exists()

def test_sample_refuses_nan_weights_and_a_pickle_payload(tmp_path, capsys):
    import pickle, warnings
    import lsun_gan.train   # imported first: its import-time notes are not what this test is about
    _ckpt(tmp_path/'nan.pth', GOOD, nan=True)
    code, err = run_cli('lsun_gan_sample', tmp_path/'nan.pth', '--n', 4, '--out', tmp_path/'g.png', capsys=capsys)
    assert code == 2; one_line(err, 'NaN')
    _ckpt(tmp_path/'p.pth', None, payload=pickle.dumps(dict(config=GOOD, x=os.system)))   # a global: code to run
    with warnings.catch_warnings():
        warnings.simplefilter('error')   # torch's warning on the pickle would be lines more
        code, err = run_cli('lsun_gan_sample', tmp_path/'p.pth', '--n', 4, '--out', tmp_path/'g.png', capsys=capsys)
    assert code == 2; one_line(err, tmp_path/'p.pth', 'run code')
    assert not (tmp_path/'g.png').exists()

@pytest.mark.parametrize('out', ['grid', 'g.xyz', '.'])
def test_sample_bad_out(tmp_path, capsys, out, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _ckpt(tmp_path/'c.pth', GOOD)
    code, err = run_cli('lsun_gan_sample', tmp_path/'c.pth', '--n', 4, '--out', out, capsys=capsys)
    assert code == 2; one_line(err, '--out', out)
    assert sorted(os.listdir(tmp_path)) == ['c.pth']

def test_collapse_report_on_all_black_real_images_warns_not_crashes():
    import torch
    from lsun_gan.metrics import collapse_report
    black, gen = torch.zeros(8, 3, 32, 32, dtype=torch.uint8), torch.randint(0, 255, (8, 3, 32, 32), dtype=torch.uint8)
    with pytest.warns(UserWarning, match='all alike'): rep = collapse_report(gen, black)
    assert np.isnan(rep['diversity']) and not rep['collapsed']

@pytest.mark.parametrize('metric,n', [('fid', 1), ('kid', 1), ('pr', 2), ('pr', 3)])
def test_eval_too_few_images_for_a_metric(tmp_path, capsys, metric, n):
    from PIL import Image
    (tmp_path/'a').mkdir()
    for i in range(6): Image.new('RGB', (16, 16), (i*40, 9, 0)).save(tmp_path/'a'/f'{i}.png')
    code, err = run_cli('lsun_gan_eval', tmp_path/'a', tmp_path/'a', '--metrics', metric, '--features', 'pixels',
                        '--n', n, '--no_cache', capsys=capsys)
    assert code == 2; one_line(err, tmp_path/'a', metric, '--n')

@pytest.mark.parametrize('text', ['{"cells": [', '[]', '{"cells": [1]}'])
def test_docs_with_a_malformed_index(tmp_path, capsys, text):
    nbs = tmp_path/'nbs'; nbs.mkdir()
    (nbs/'index.ipynb').write_text(text)
    code, err = run_cli('lsun_gan_docs', '--nbs', nbs, '--readme', tmp_path/'R.md', capsys=capsys)
    assert code == 2; one_line(err, nbs/'index.ipynb')
    assert not (tmp_path/'R.md').exists()

def test_compare_refuses_out_inside_its_image_folder(imgs, tmp_path, capsys):
    (tmp_path/'c.yaml').write_text(TINY + "runs: [{arch: dcgan}]\n")
    before = files_under(imgs)
    code, err = run_cli('lsun_gan_compare', tmp_path/'c.yaml', '--data', imgs, '--out', imgs/'cmp', '--workers', 0,
                        capsys=capsys)
    assert code == 2; one_line(err, '--out', imgs)
    assert files_under(imgs) == before

def test_train_workers_bounded_by_the_cores(imgs, tmp_path, monkeypatch):
    import lsun_gan.train as T
    seen = []
    def spy(*args, **kw): seen.append(args[3]); raise KeyboardInterrupt   # build_learner's num_workers; stop there
    monkeypatch.setattr(T, 'build_learner', spy)
    with pytest.raises(KeyboardInterrupt): T.train(T.RunConfig('dcgan', imgs, size=32, bs=8), tmp_path/'run', num_workers=100000)
    assert seen == [os.cpu_count()]
