"The data layer from the command line and from an LMDB, as a user meets it."
import io, os, sys, subprocess
import numpy as np, pytest
from PIL import Image
from conftest import cli
from lsun_gan.core import UsageError
from lsun_gan.test_utils import make_odd_images
from lsun_gan.cache import prepare, ImageCache, list_items, lsun_gan_prepare

def run(*args): return subprocess.run([str(a) for a in args], capture_output=True, text=True, env={**os.environ})

@pytest.fixture
def run_here(monkeypatch, capsys):
    "Run `lsun_gan_prepare` in this process as from the shell (a start-up of fastai saved): (status, stdout, stderr)"
    def _run(*args):
        monkeypatch.setattr(sys, 'argv', ['lsun_gan_prepare', *map(str, args)])
        try: lsun_gan_prepare(); code = 0
        except SystemExit as e: code = e.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)
    return _run

def test_prepare_odd_files_reports_every_skip(tmp_path):
    "Through the installed console script"
    odd = make_odd_images(tmp_path/'odd')
    r = run(cli('lsun_gan_prepare'), tmp_path/'odd', tmp_path/'cache', '--size', '32', '--workers', '2', '--chunk', '4')
    assert r.returncode == 0, r.stderr
    n_ok = sum(v == 'ok' for v in odd.values())
    assert f"Prepared {n_ok} of {len(odd)} images" in r.stdout
    assert f"Skipped {len(odd)-n_ok}" in r.stdout
    assert len((tmp_path/'cache'/'skipped.csv').read_text().splitlines()) == len(odd) - n_ok + 1
    again = run(cli('lsun_gan_prepare'), tmp_path/'odd', tmp_path/'cache', '--size', '32', '--workers', '0')
    assert again.returncode == 0 and 'nothing to do' in again.stdout

@pytest.mark.parametrize('args,msg', [(['--size', '48'], 'size must be one of'),
                                      (['--size', '64'], 'another source or size')])
def test_prepare_bad_arguments_one_line(tmp_path, args, msg, run_here):
    make_odd_images(tmp_path/'odd')
    prepare(tmp_path/'odd', tmp_path/'cache', size=32, n_workers=0, verbose=False)
    r = run_here(tmp_path/'odd', tmp_path/'cache', *args)
    assert r.returncode == 2
    assert msg in r.stderr and r.stderr.strip().count('\n') == 0 and 'Traceback' not in r.stderr

def test_missing_source_one_line(tmp_path, run_here):
    r = run_here(tmp_path/'nope', tmp_path/'cache')
    assert r.returncode == 2 and 'does not exist' in r.stderr and 'Traceback' not in r.stderr

def test_lmdb_source_matches_folder(tmp_path):
    lmdb = pytest.importorskip('lmdb')
    rng = np.random.default_rng(0)
    (tmp_path/'folder').mkdir()
    env = lmdb.open(str(tmp_path/'bedroom_train_lmdb'), map_size=1 << 26)
    with env.begin(write=True) as txn:
        for i in range(12):
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 255, (48, 70, 3), dtype=np.uint8)).save(buf, 'JPEG')
            txn.put(f'key{i:03d}'.encode(), buf.getvalue())
            (tmp_path/'folder'/f'key{i:03d}.jpg').write_bytes(buf.getvalue())
        txn.put(b'key999', b'not an image')
    env.close()
    assert len(list_items(tmp_path/'bedroom_train_lmdb')) == 13
    a = prepare(tmp_path/'bedroom_train_lmdb', tmp_path/'from_lmdb', size=32, n_workers=2, chunk_sz=5, verbose=False)
    assert len(a) == 12 and a.meta['n_skipped'] == 1
    # the same bytes as files give the same cache
    b = prepare(tmp_path/'folder', tmp_path/'from_folder', size=32, n_workers=0, verbose=False)
    assert np.array_equal(a.images[a.rows], b.images[b.rows])

def test_cache_errors_say_what_to_do(tmp_path):
    with pytest.raises(UsageError, match='lsun_gan_prepare'): ImageCache(tmp_path)

def test_real_sample_prepares(sample, tmp_path):
    c = prepare(sample, tmp_path/'c', size=32, limit=300, verbose=False)
    assert len(c) == 300 and c.images.shape == (300, 32, 32, 3) and c.images[c.rows].std() > 20
