"Issue 9 (nothing lost, nothing executed) and issue 8 for the data layer: each test fails on the code before the fix."
import os, sys, csv, json, time, signal, shutil, subprocess
from pathlib import Path
import numpy as np, pytest, torch
from PIL import Image, ImageOps
from conftest import cli
from lsun_gan.core import UsageError
import lsun_gan.cache as cache
from lsun_gan.test_utils import make_odd_images
from lsun_gan.cache import prepare, ImageCache, load_crop, lsun_gan_prepare, list_items
from lsun_gan.data import gan_dls, image_files
from lsun_gan.crappify import crappify_folder, crappy_dls, lsun_gan_crappify

def make_images(path, n, w=72, h=56, seed=0, fmt='png'):
    "`n` smooth random-coloured images (distinct), `w`×`h`, in `path`"
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        a, b, c = rng.uniform(0.02, 0.2, 3)
        arr = np.stack([127 + 120*np.sin(xx*a + i), 127 + 120*np.cos(yy*b), 127 + 120*np.sin((xx + yy)*c)], -1)
        Image.fromarray(arr.astype(np.uint8)).save(path/f'{i:04d}.{fmt}')
    return path

def run_cli(fn, *args, monkeypatch, capsys):
    "Run a console script in this process as from the shell: (exit status, stdout, stderr)"
    monkeypatch.setattr(sys, 'argv', [fn.__name__, *map(str, args)])
    try: fn(); code = 0
    except SystemExit as e: code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err

def one_line(err): return err.strip().count('\n') == 0 and 'Traceback' not in err

def cache_files(dest):
    "What a finished cache holds, to compare two caches byte for byte"
    return {f: (dest/f).read_bytes() for f in ('images.npy', 'index.csv', 'skipped.csv')}

def children(pid):
    "Pids of the live (not zombie) children of `pid`"
    out = []
    for p in Path('/proc').iterdir():
        try: st = (p/'stat').read_text().rsplit(')', 1)[1].split()
        except (OSError, IndexError): continue
        if st[1] == str(pid) and st[0] != 'Z': out.append(int(p.name))
    return out

def alive(pid):
    try: return (Path('/proc')/str(pid)/'stat').read_text().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError: return False

def wait_for(cond, secs=120, what=''):
    t0 = time.time()
    while not cond():
        if time.time() - t0 > secs: raise AssertionError(f'timed out waiting for {what}')
        time.sleep(0.005)

@pytest.fixture
def mixed(tmp_path):
    "A folder of 30 good images and the odd files (6 to skip): 42 images"
    make_odd_images(tmp_path/'mixed')
    return make_images(tmp_path/'mixed'/'good', 30)

# --- item 3: black images reported as success -------------------------------------------------------------------

@pytest.mark.parametrize('args,opt', [(['--chunk', '-1'], '--chunk'), (['--chunk', '0'], '--chunk'),
                                      (['--limit', '0'], '--limit'), (['--limit', '-3'], '--limit'),
                                      (['--workers', '-1'], '--workers'), (['--size', '48'], '--size')])
def test_bad_numbers_one_line(tmp_path, monkeypatch, capsys, args, opt):
    make_images(tmp_path/'src', 3)
    code, out, err = run_cli(lsun_gan_prepare, tmp_path/'src', tmp_path/'c', *args, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and opt in err and one_line(err), (code, out, err)
    assert not (tmp_path/'c'/'meta.json').exists()  # before: `--chunk -1` wrote all zeros and said "Prepared 3 of 3"

@pytest.mark.parametrize('first,second', [(3, 8), (8, 3), (5, 5)])
def test_resume_with_another_chunk_is_byte_identical(mixed, tmp_path, monkeypatch, first, second):
    "Interrupted part-way with one --chunk, resumed with another: the cache equals a clean run's, byte for byte"
    src = mixed.parent
    clean = prepare(src, tmp_path/'clean', size=32, n_workers=0, chunk_sz=4, verbose=False)
    calls, real = [0], cache.load_crop
    def flaky(*a, **k):
        calls[0] += 1
        if calls[0] > 19: raise KeyboardInterrupt
        return real(*a, **k)
    monkeypatch.setattr(cache, "load_crop", flaky)
    with pytest.raises(KeyboardInterrupt): prepare(src, tmp_path/'c', size=32, n_workers=0, chunk_sz=first, verbose=False)
    monkeypatch.setattr(cache, "load_crop", real)
    assert not (tmp_path/'c'/'meta.json').exists()
    resumed = prepare(src, tmp_path/'c', size=32, n_workers=0, chunk_sz=second, verbose=False)
    assert cache_files(tmp_path/'c') == cache_files(tmp_path/'clean')
    assert resumed.meta['n_ok'] == clean.meta['n_ok'] == 36
    assert all(resumed[i].std() > 0 for i in range(len(resumed)))  # no black rows among those in use

# --- item 4: two processes into one folder ----------------------------------------------------------------------

def test_second_prepare_into_same_dest_is_refused(tmp_path):
    make_images(tmp_path/'src', 300, 512, 400, fmt='jpg')   # enough work to be caught part-way (~4 ms an image)
    dest = tmp_path/'c'
    a = subprocess.Popen([cli('lsun_gan_prepare'), tmp_path/'src', dest, '--size', '256', '--workers', '0',
                          '--chunk', '1'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        wait_for(lambda: (dest/'.lock').exists() and (dest/'.lock').read_text() == str(a.pid), what='the first lock')
        a.send_signal(signal.SIGSTOP)  # the first one holds the folder, part-way through
        assert a.poll() is None, "the first prepare finished too soon for this test"
        with pytest.raises(UsageError, match=f'already in use by pid {a.pid}'):
            prepare(tmp_path/'src', dest, size=256, n_workers=0, verbose=False)
    finally: a.send_signal(signal.SIGCONT)
    out, err = a.communicate(timeout=300)
    assert a.returncode == 0 and 'Prepared 300 of 300' in out, err
    clean = prepare(tmp_path/'src', tmp_path/'clean', size=256, n_workers=0, verbose=False)
    assert cache_files(dest) == cache_files(tmp_path/'clean')

# --- item 6: orphans, Ctrl-C, stale state -------------------------------------------------------------------------

def test_killed_prepare_leaves_no_workers(tmp_path):
    make_images(tmp_path/'src', 300, 512, 400, fmt='jpg')   # enough work to be caught part-way (~4 ms an image)
    a = subprocess.Popen([cli('lsun_gan_prepare'), tmp_path/'src', tmp_path/'c', '--size', '256', '--workers', '2',
                          '--chunk', '1'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    wait_for(lambda: (tmp_path/'c'/'progress.jsonl').exists() and (tmp_path/'c'/'progress.jsonl').read_text(),
             what='the first chunk')
    a.send_signal(signal.SIGSTOP)  # held part-way (its workers stay, waiting on it), however fast preparing is
    workers = children(a.pid)
    assert a.poll() is None and len(workers) >= 2, workers
    a.kill(); a.wait()
    try:
        # at once, the folder is free (the workers do not hold the lock) and the run resumes
        c = prepare(tmp_path/'src', tmp_path/'c', size=256, n_workers=0, verbose=False)
        assert len(c) == 300 and all(c[i].std() > 0 for i in range(300))
        wait_for(lambda: not any(alive(p) for p in workers), secs=15, what='the workers to exit with their parent')
    finally:
        for p in workers:
            if alive(p): os.kill(p, signal.SIGKILL)  # before the fix they stay, blocked, for ever

def test_ctrl_c_one_line_then_resume(tmp_path):
    make_images(tmp_path/'src', 300, 512, 400, fmt='jpg')   # enough work that Ctrl-C lands mid-run (~4 ms an image)
    args = [tmp_path/'src', tmp_path/'c', '--size', '256', '--workers', '2', '--chunk', '1']
    # as from a terminal: Ctrl-C not ignored, even when this test runs where SIGINT is (a background CI job)
    a = subprocess.Popen([cli('lsun_gan_prepare'), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, env={**os.environ},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(lambda: (tmp_path/'c'/'progress.jsonl').exists() and (tmp_path/'c'/'progress.jsonl').read_text(),
             what='the first chunk')
    os.killpg(a.pid, signal.SIGSTOP)  # held part-way, so that Ctrl-C lands mid-run however fast preparing is
    assert not (tmp_path/'c'/'meta.json').exists(), "the prepare finished too soon for this test"
    os.killpg(a.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: SIGINT to the whole process group
    os.killpg(a.pid, signal.SIGCONT)
    out, err = a.communicate(timeout=60)
    assert a.returncode == 130 and one_line(err) and 'run the same command again' in err, err
    assert not (tmp_path/'c'/'meta.json').exists() and not list((tmp_path/'c').glob('*.tmp*'))
    prepare(tmp_path/'src', tmp_path/'c', size=256, n_workers=0, verbose=False)
    prepare(tmp_path/'src', tmp_path/'clean', size=256, n_workers=0, verbose=False)
    assert cache_files(tmp_path/'c') == cache_files(tmp_path/'clean')

def test_same_size_replacement_is_noticed(tmp_path):
    src = make_images(tmp_path/'src', 4)
    for i in range(4): Image.open(src/f'{i:04d}.png').save(src/f'{i:04d}.png', compress_level=0)
    prepare(src, tmp_path/'c', size=32, n_workers=0, verbose=False)
    f, size = src/'0002.png', (src/'0002.png').stat().st_size
    Image.open(src/'0003.png').save(f, compress_level=0)  # other pixels, the same byte size
    st = f.stat(); os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert f.stat().st_size == size
    with pytest.raises(UsageError, match='another source or size'): prepare(src, tmp_path/'c', size=32, verbose=False)

# --- item 5: silent duplication or loss in sources ----------------------------------------------------------------

def test_link_loops_and_duplicates_are_read_once(tmp_path):
    src = make_images(tmp_path/'src', 6)
    make_images(src/'sub', 2, seed=1)
    os.symlink('..', src/'sub'/'up')             # a folder loop
    os.symlink(src/'sub', src/'zlink')           # a second way to a folder
    os.symlink('0001.png', src/'link.png')       # a second name for a file
    c = prepare(src, tmp_path/'c', size=32, n_workers=0, verbose=False)
    assert len(c) == 8 and sorted(c.items) == sorted([f'{i:04d}.png' for i in range(6)] + ['sub/0000.png', 'sub/0001.png'])
    with open(tmp_path/'c'/'skipped.csv') as f: skipped = {r['item']: r['reason'] for r in csv.DictReader(f)}
    assert set(skipped) == {'zlink/', 'sub/up/', 'link.png'}, skipped
    assert len(image_files(src)) == 8 and len(list_items(src)) == 8

def test_dangling_and_looping_file_links_are_skipped_not_fatal(tmp_path, monkeypatch, capsys):
    src = make_images(tmp_path/'src', 5)
    os.symlink('nowhere.jpg', src/'dangling.jpg'); os.symlink('loop.jpg', src/'loop.jpg')
    code, out, err = run_cli(lsun_gan_prepare, src, tmp_path/'c', '--size', '32', '--workers', '0',
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and 'Prepared 5 of 5' in out and 'dangling.jpg' in out and 'loop.jpg' in out, err
    with open(tmp_path/'c'/'skipped.csv') as f: assert {r['item'] for r in csv.DictReader(f)} == {'dangling.jpg', 'loop.jpg'}

def test_crappify_dest_inside_src_is_not_crappified_again(tmp_path):
    src = make_images(tmp_path/'src', 4)
    for _ in range(2): crappify_folder(src, src/'crappy', sz=24, n_workers=0)
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob('*.jpg')) == [f'crappy/{i:04d}.jpg' for i in range(4)]
    with pytest.raises(UsageError, match='DEST is SRC'): crappify_folder(src, src, n_workers=0)

def test_crappify_names_stay_distinct(tmp_path, capsys):
    src = make_images(tmp_path/'src', 2)
    (src/'0000.png').rename(src/'a.png'); Image.open(src/'0001.png').save(src/'a.jpg'); (src/'0001.png').unlink()
    crappify_folder(src, tmp_path/'out', sz=24, n_workers=0)
    assert 'Crappified 2 of 2' in capsys.readouterr().out
    assert sorted(os.listdir(tmp_path/'out')) == ['.crappify.json', '.lock', 'a.jpg', 'a.png.jpg']  # before: one a.jpg for both
    a, b = (np.asarray(Image.open(tmp_path/'out'/f), dtype=float) for f in ('a.jpg', 'a.png.jpg'))
    assert np.abs(a - b).mean() > 10  # each from its own image

def test_crappify_cli_size_and_numbers(tmp_path, monkeypatch, capsys):
    src = make_images(tmp_path/'src', 2)
    code, out, err = run_cli(lsun_gan_crappify, src, tmp_path/'out', '--size', '20', '--workers', '0',
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and min(Image.open(tmp_path/'out'/'0000.jpg').size) == 20, err
    code, out, err = run_cli(lsun_gan_crappify, src, tmp_path/'out2', '--size', '0', monkeypatch=monkeypatch,
                             capsys=capsys)
    assert code == 2 and '--size' in err and one_line(err), err

_TURN_BACK = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_270}  # the inverse of each EXIF orientation's turn

@pytest.mark.parametrize('fmt', ['jpg', 'png'])
def test_exif_orientation_is_applied(tmp_path, fmt):
    "A photo stored sideways with an orientation tag is cached upright, as `ImageOps.exif_transpose` shows it"
    upright = Image.open(make_images(tmp_path/'src', 1, 300, 200)/'0000.png').convert('RGB')
    want = load_crop(tmp_path/'src'/'0000.png', 32).astype(float)
    for o in range(1, 9):
        stored = upright.transpose(_TURN_BACK[o]) if o > 1 else upright
        exif = Image.Exif(); exif[0x0112] = o
        f = tmp_path/f'o{o}.{fmt}'
        stored.save(f, exif=exif.tobytes(), **({'quality': 95} if fmt == 'jpg' else {}))
        assert np.array_equal(np.asarray(ImageOps.exif_transpose(Image.open(f))).shape, np.asarray(upright).shape)
        got = load_crop(f, 32).astype(float)
        assert np.abs(got - want).mean() < 4, (o, np.abs(got - want).mean())  # before: sideways or mirrored

# --- errors a user can act on -------------------------------------------------------------------------------------

def test_dest_is_or_is_under_a_file_one_line(tmp_path, monkeypatch, capsys):
    make_images(tmp_path/'src', 2)
    (tmp_path/'file').write_text('x')
    for dest in (tmp_path/'file', tmp_path/'file'/'c'):
        for fn in (lsun_gan_prepare, lsun_gan_crappify):
            code, out, err = run_cli(fn, tmp_path/'src', dest, '--workers', '0', monkeypatch=monkeypatch, capsys=capsys)
            assert code == 2 and one_line(err) and 'file' in err, (fn.__name__, dest, err)

@pytest.fixture
def tmpfs(tmp_path):
    "Mount a small tmpfs (needs root); skip, saying why, where that is not possible"
    mounted = []
    def mount(opts):
        d = tmp_path/f'mnt{len(mounted)}'; d.mkdir()
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', str(d)], capture_output=True, text=True)
        if r.returncode: pytest.skip(f"cannot mount a tmpfs here to test a full or read-only disk: {r.stderr.strip()}")
        mounted.append(d); return d
    yield mount
    for d in mounted: subprocess.run(['umount', str(d)])

def test_disk_full_one_line_no_debris(tmp_path, tmpfs, monkeypatch, capsys):
    make_images(tmp_path/'src', 40)
    small = tmpfs('size=1m')
    code, out, err = run_cli(lsun_gan_prepare, tmp_path/'src', small/'c', '--size', '256', '--workers', '2',
                             monkeypatch=monkeypatch, capsys=capsys)  # 40 × 192 KiB: more than 1 MiB
    assert code == 2 and one_line(err) and 'no space left' in err, err
    assert not [f for f in (small/'c').iterdir() if f.name != '.lock'], list((small/'c').iterdir())

@pytest.mark.parametrize('workers', ['0', '2'])
def test_crappify_disk_full_one_line_no_debris(tmp_path, tmpfs, monkeypatch, capsys, workers):
    "A regression check: a worker's ENOSPC reaches the command line as one line, and no temporary file stays"
    make_images(tmp_path/'src', 40, 300, 300, fmt='jpg')
    small = tmpfs('size=64k')
    code, out, err = run_cli(lsun_gan_crappify, tmp_path/'src', small/'c', '--size', '200', '--workers', workers,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and one_line(err) and 'no space left' in err, err
    assert not [f for f in (small/'c').iterdir() if 'tmp' in f.name], list((small/'c').iterdir())

def test_read_only_dest_one_line(tmp_path, tmpfs, monkeypatch, capsys):
    make_images(tmp_path/'src', 2)
    ro = tmpfs('size=1m,ro')
    for fn in (lsun_gan_prepare, lsun_gan_crappify):
        code, out, err = run_cli(fn, tmp_path/'src', ro/'c', '--workers', '0', monkeypatch=monkeypatch, capsys=capsys)
        assert code == 2 and one_line(err) and 'read-only' in err, err

@pytest.mark.parametrize('name,damage', [('images.npy', lambda f: f.write_bytes(f.read_bytes()[:5000])),
                                         ('images.npy', lambda f: f.write_bytes(f.read_bytes()[:60])),
                                         ('index.csv', lambda f: f.write_text('row,source,item\nx,0,a.png\n')),
                                         ('index.csv', lambda f: f.write_text('row,source,item\n99,0,a.png\n')),
                                         ('meta.json', lambda f: f.write_text(f.read_text()[:30]))])
def test_damaged_cache_one_line(tmp_path, name, damage):
    make_images(tmp_path/'src', 4)
    prepare(tmp_path/'src', tmp_path/'c', size=32, n_workers=0, verbose=False)
    damage(tmp_path/'c'/name)
    for f in (ImageCache, lambda p: gan_dls(p, size=32, bs=2, device='cpu')):
        with pytest.raises(UsageError) as e: f(tmp_path/'c')
        assert name in str(e.value) and 'run lsun_gan_prepare again' in str(e.value), str(e.value)

def test_raw_folder_skips_unreadable_files(tmp_path, capsys):
    src = make_images(tmp_path/'src', 8)
    odd = make_odd_images(tmp_path/'odd')
    for f in ('truncated.jpg', 'corrupt.jpg', 'text.jpg'): shutil.copy(tmp_path/'odd'/f, src/f)
    dls = gan_dls(src, size=32, bs=4, num_workers=0, device='cpu')
    out = capsys.readouterr().out
    assert 'skipped 3 of 11' in out and 'truncated.jpg' in out and out.count('\n') == 1, out
    for _ in range(3): assert sum(1 for _ in dls.train) == 2  # whole epochs, never the bad files (before: a crash)
    cdls = crappy_dls(src, size=32, bs=4, num_workers=0, device='cpu', valid_pct=0.25)
    for _ in range(3): assert sum(1 for _ in cdls.train) == 1

# --- batches and devices ------------------------------------------------------------------------------------------

def test_fewer_images_than_a_batch_one_line(tmp_path):
    make_images(tmp_path/'src', 5)
    c = prepare(tmp_path/'src', tmp_path/'c', size=32, n_workers=0, verbose=False)
    with pytest.raises(UsageError, match=r'holds 5 images, fewer than one batch \(--bs 8\)'): gan_dls(c.path, size=32, bs=8)
    with pytest.raises(UsageError, match='fewer than one batch'): crappy_dls(c.path, size=32, bs=6)
    with pytest.raises(UsageError, match='fewer than one batch'): gan_dls(tmp_path/'src', size=32, bs=8)
    for bs in (0, -1):
        with pytest.raises(UsageError, match='--bs must be > 0'): gan_dls(c.path, size=32, bs=bs)
        with pytest.raises(UsageError, match='--bs must be > 0'): crappy_dls(c.path, size=32, bs=bs)
    make_odd_images(tmp_path/'bad'); [f.unlink() for f in (tmp_path/'bad').rglob('*') if f.is_file() and
                                      f.name not in ('empty.jpg', 'text.jpg')]
    z = prepare(tmp_path/'bad', tmp_path/'z', size=32, n_workers=0, verbose=False)  # every image skipped
    assert len(z) == 0
    with pytest.raises(UsageError, match='holds 0 images'): gan_dls(z.path, size=32, bs=4)  # before: IndexError

def test_dls_device(tmp_path):
    from fastai.torch_core import default_device
    make_images(tmp_path/'src', 8)
    c = prepare(tmp_path/'src', tmp_path/'c', size=32, n_workers=0, verbose=False)
    for dev, want in (('cpu', torch.device('cpu')), (None, default_device())):
        for dls in (gan_dls(c.path, size=32, bs=4, device=dev), gan_dls(tmp_path/'src', size=32, bs=4, device=dev),
                    crappy_dls(c.path, size=32, bs=4, device=dev, num_workers=0)):
            assert dls.device == want, (dev, dls.device)  # before: None, and fastai left the model on the CPU
            assert all(t.device.type == want.type for t in dls.one_batch())
    for f in (lambda: gan_dls(c.path, size=32, bs=4, device='gpu0'), lambda: crappy_dls(c.path, size=32, device='tpu')):
        with pytest.raises(UsageError, match='unknown device'): f()

def test_stats_typo_is_one_line(tmp_path):
    "core's `get_stats` refuses a typo; the data layer passes it through (a regression check, not a fix)"
    make_images(tmp_path/'src', 8)
    c = prepare(tmp_path/'src', tmp_path/'c', size=32, n_workers=0, verbose=False)
    for f in (lambda: gan_dls(c.path, size=32, bs=4, stats='imagnet'), lambda: crappy_dls(c.path, size=32, stats='imagnet')):
        with pytest.raises(UsageError, match='unknown normalisation'): f()

def test_no_progress_bar_frames_in_a_log(tmp_path, capsys):
    make_images(tmp_path/'src', 40)
    assert not sys.stdout.isatty()
    prepare(tmp_path/'src', tmp_path/'c', size=32, n_workers=0, chunk_sz=2)
    out = capsys.readouterr().out
    assert '\r' not in out and '█' not in out and 'Prepared 40 of 40' in out, out
    assert out.count('\n') <= 12  # a line per tenth of the work, and the summary

# --- issue 12: several sources ------------------------------------------------------------------------------------

def test_several_sources_one_cache(tmp_path, monkeypatch, capsys):
    a, b = make_images(tmp_path/'a', 3, seed=0), make_images(tmp_path/'b', 4, seed=1)  # the same names in both
    (b/'0003.png').write_text('not an image')
    code, out, err = run_cli(lsun_gan_prepare, a, b, tmp_path/'c', '--size', '32', '--workers', '0',
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and 'Prepared 6 of 7' in out, err
    c = ImageCache(tmp_path/'c')
    assert c.sources == [str(a.resolve()), str(b.resolve())] and c.source_ids.tolist() == [0, 0, 0, 1, 1, 1]
    assert c.items == ['0000.png', '0001.png', '0002.png'] * 2
    assert not np.array_equal(c[0], c[3])  # equal names, two images
    with open(tmp_path/'c'/'skipped.csv') as f: assert list(csv.reader(f)) == [['source', 'item', 'reason'],
                                                                                ['1', '0003.png', 'not an image PIL can read']]
    assert np.array_equal(c[4], load_crop(b/'0001.png', 32))
    # the key covers every source: a change in the second one is noticed
    Image.open(a/'0000.png').save(b/'0002.png')
    with pytest.raises(UsageError, match='another source or size'): prepare([a, b], tmp_path/'c', size=32, verbose=False)
    # the limit counts across sources, in order
    assert len(prepare([a, b], tmp_path/'l', size=32, limit=4, n_workers=0, verbose=False).source_ids) == 4
    with pytest.raises(UsageError, match='given twice'): prepare([a, a], tmp_path/'d', verbose=False)

def test_sample_and_extra_make_8000(sample):
    extra = sample.parent/'lsun_bedroom_extra'
    if not extra.is_dir(): pytest.skip(f"no {extra}: the 6,000 extra LSUN images are not here")
    items, stamps, bad = cache._read_sources([sample, extra])
    assert len(items) == len(set(items)) == 8000 and not bad
    assert [k for k, _ in items].count(1) == 6000
