"lsun_gan_eval from the command line, with weights the test writes itself into a temporary TORCH_HOME."
import json, os, subprocess
import numpy as np, pytest, torch
from PIL import Image
from conftest import cli, in_process
from lsun_gan.test_utils import write_random_fid_weights
from lsun_gan.metrics import save_stats, evaluate
from lsun_gan.evaluation import evaluate_checkpoints

@pytest.fixture(scope='module')
def folders(tmp_path_factory):
    d = tmp_path_factory.mktemp('eval')
    g = torch.Generator().manual_seed(0)
    for name, scale in (('a', 1.), ('b', 0.6)):
        (d/name).mkdir()
        for i in range(80):
            img = (torch.rand(32, 32, 3, generator=g)*255*scale).byte().numpy()
            Image.fromarray(img).save(d/name/f'{i:03d}.png')
    write_random_fid_weights(d/'th')
    (d/'empty_th').mkdir()
    return d

@pytest.fixture
def run(monkeypatch, capsys):
    "lsun_gan_eval run in this process with `d`'s Inception weights (TORCH_HOME) and HOME: a `CompletedProcess`"
    def go(d, *args, torch_home=None, home=None):
        monkeypatch.setenv('TORCH_HOME', str(torch_home or d/'th')); monkeypatch.setenv('HOME', str(home or d/'home'))
        return in_process('lsun_gan_eval', *args, capsys=capsys)
    return go

def one_line_error(r, *words):
    assert r.returncode == 2 and 'Traceback' not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr[-2000:]
    for w in words: assert w in r.stderr, r.stderr

def test_eval_json_has_every_metric_with_counts(folders, run):
    r = run(folders, folders/'a', folders/'b', '--metrics', 'fid,kid,swd,pr', '--dims', '64', '--out-json', folders/'r.json')
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((folders/'r.json').read_text())
    assert set(res) == {'fid', 'kid', 'swd', 'pr'}
    assert res['fid']['value'] > 0 and res['fid']['n_a'] == res['fid']['n_b'] == 80
    assert 'fid' in r.stdout and 'n_a=80' in r.stdout

def test_eval_table_says_what_each_figure_is(folders, run):
    "KID of whole sets: 'one subset', not a ± 0 printed as 3e-16; p/r labelled; SWD with its scale and n"
    r = run(folders, folders/'a', folders/'b', '--metrics', 'kid,pr,swd', '--dims', '64')
    assert r.returncode == 0, r.stderr[-2000:]
    rows = {l.split()[0]: l for l in r.stdout.splitlines() if l.strip()}
    assert 'one subset' in rows['kid'] and 'e-1' not in rows['kid']
    assert 'precision ' in rows['pr'] and 'recall ' in rows['pr']
    assert 'SWD ×10³ (n=80)' in rows['swd']

def test_eval_against_saved_statistics(folders, run):
    r = run(folders, folders/'a', folders/'a', '--metrics', 'fid', '--dims', '64', '--out-json', folders/'self.json')
    assert r.returncode == 0, r.stderr[-2000:]
    assert abs(json.loads((folders/'self.json').read_text())['fid']['value']) < 1e-6
    save_stats(folders/'zero.npz', np.zeros(64), np.eye(64), 10)
    r = run(folders, folders/'zero.npz', folders/'b', '--metrics', 'fid', '--dims', '64')
    assert r.returncode == 0 and 'sample counts differ' in r.stdout
    one_line_error(run(folders, folders/'zero.npz', folders/'b', '--metrics', 'kid', '--dims', '64'), 'FID statistics only')
    one_line_error(run(folders, folders/'zero.npz', folders/'b', '--metrics', 'fid'), '64-d statistics', '--dims 64')

def test_eval_without_weights_says_what_is_needed_and_the_alternative(folders, run):
    one_line_error(run(folders, folders/'a', folders/'b', torch_home=folders/'empty_th'),
                   'pt_inception-2015-12-05-6726825d.pth', '--features pixels')

def test_eval_pixel_features_offline_under_their_own_names(folders, run):
    r = run(folders, folders/'a', folders/'b', '--metrics', 'fid,kid,swd,pr', '--features', 'pixels',
            '--out-json', folders/'px.json', torch_home=folders/'empty_th')
    assert r.returncode == 0, r.stderr[-2000:]
    assert set(json.loads((folders/'px.json').read_text())) == {'fd_pixels', 'kid_pixels', 'swd', 'pr_pixels'}
    assert 'Fréchet distance of 8×8 pixel features' in r.stdout and 'fid ' not in r.stdout
    one_line_error(run(folders, folders/'a', folders/'b', '--metrics', 'is', '--features', 'pixels',
                       torch_home=folders/'empty_th'), 'Inception Score needs')

def test_eval_seed_draws_swd(folders, run):
    res = []
    for s in ('0', '1'):
        r = run(folders, folders/'a', folders/'b', '--metrics', 'kid,swd', '--features', 'pixels', '--n', '60', '--seed', s,
                '--out-json', folders/f's{s}.json')
        assert r.returncode == 0, r.stderr[-2000:]
        res.append(json.loads((folders/f's{s}.json').read_text()))
    assert res[0]['swd']['value'] != res[1]['swd']['value']
    # KID of whole sets is one subset: nothing to draw, so the seed cannot change it (the subsets' seed: test_metrics_kid)
    assert res[0]['kid_pixels']['value'] == res[1]['kid_pixels']['value'] and res[0]['kid_pixels']['subsets'] == 1

def test_eval_no_cache_writes_no_statistics(folders, tmp_path, run):
    for flag, home in (('--no-cache', tmp_path/'h1'), (None, tmp_path/'h2')):
        r = run(folders, folders/'a', folders/'b', '--features', 'pixels', *([flag] if flag else []), home=home)
        assert r.returncode == 0, r.stderr[-2000:]
    assert not (tmp_path/'h1'/'.cache'/'lsun_gan').exists() and len(list((tmp_path/'h2').rglob('*.npz'))) == 1

def test_eval_help_describes_every_option():
    "The installed console script (a new interpreter, as a user runs it) prints its help"
    r = subprocess.run([cli('lsun_gan_eval'), '--help'], capture_output=True, text=True)
    for opt in ('--metrics', '--features', '--weights', '--dims', '--n', '--seed', '--data', '--no_cache', '--out_json'):
        line = next(l for l in r.stdout.splitlines() if l.strip().startswith(opt))
        assert len(line.split(opt, 1)[1].strip()) > 10, line   # a description, not only the option
    flat = ' '.join(r.stdout.split())   # argparse wraps to the terminal's width
    assert '64, 192, 768 or 2048' in flat and 'no weights' in flat and '--json' not in flat

def test_eval_user_errors_are_one_line(folders, tmp_path, run):
    (tmp_path/'mixed').mkdir(); (tmp_path/'px16').mkdir()
    for i in range(60): Image.fromarray(np.zeros((32 if i < 55 else 40,)*2 + (3,), np.uint8)).save(tmp_path/'mixed'/f'{i:02d}.png')
    for i in range(80): Image.fromarray(np.full((16, 16, 3), i, np.uint8)).save(tmp_path/'px16'/f'{i:02d}.png')
    (tmp_path/'bad').mkdir()   # two files: FID needs 2 images per set (one is 'too few', said first)
    for f in ('x.png', 'y.png'): (tmp_path/'bad'/f).write_text('not an image')
    one_line_error(run(folders, folders/'a', tmp_path/'mixed', '--features', 'pixels'), str(tmp_path/'mixed'), 'lsun_gan_prepare')
    one_line_error(run(folders, folders/'a', tmp_path/'px16', '--metrics', 'swd', '--seed', '0'), '32 px vs 16 px')
    one_line_error(run(folders, folders/'a', tmp_path/'bad', '--features', 'pixels'), 'x.png is not a readable image')
    one_line_error(run(folders, folders/'a', folders/'b', '--features', 'bogus'), '--features must be')
    one_line_error(run(folders, folders/'a', folders/'b', '--dims', '100'), '--dims must be one of')

def test_eval_reads_pytorch_fids_image_formats(tmp_path):
    g = np.random.default_rng(0)
    for ext in ('bmp', 'ppm', 'tif', 'tiff', 'png'):
        Image.fromarray(g.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(tmp_path/f'x.{ext}')
    Image.fromarray(g.integers(0, 256, (16, 16), dtype=np.uint8)).save(tmp_path/'x.pgm')
    from lsun_gan.metrics import count_images, image_batches
    assert count_images(tmp_path) == 6 and next(image_batches(tmp_path)).shape == (6, 3, 16, 16)

def test_eval_gan_checkpoint_gets_the_data(folders, monkeypatch):
    "A checkpoint is sampled with --data, by default the real folder (a `gan` generator repairs its images)"
    import lsun_gan.evaluation
    calls = []
    def fake_sample(ckpt, n=64, seed=0, data=None, ema=True):
        calls.append((ckpt, n, seed, data)); return torch.zeros(n, 3, 32, 32, dtype=torch.uint8)
    monkeypatch.setattr(lsun_gan.evaluation, 'sample', fake_sample)
    evaluate_checkpoints(folders/'a', 'g.pth', 'swd', n=80, seed=3, progress=False)
    evaluate_checkpoints(folders/'a', 'g.pth', 'swd', n=80, seed=3, data=folders/'b', progress=False)
    assert calls == [('g.pth', 80, 3, folders/'a'), ('g.pth', 80, 3, folders/'b')]
