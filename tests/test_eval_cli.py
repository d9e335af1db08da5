"lsun_gan_eval from the command line, with weights the test writes itself into a temporary TORCH_HOME."
import json, os, subprocess
import numpy as np, pytest, torch
from PIL import Image
from conftest import cli
from lsun_gan.metrics import write_random_fid_weights, save_stats

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
    return d

def run(d, *args, torch_home=None):
    env = {**os.environ, 'TORCH_HOME': str(torch_home or d/'th'), 'OMP_NUM_THREADS': '2'}
    return subprocess.run([cli('lsun_gan_eval'), *map(str, args)], capture_output=True, text=True, env=env)

def test_eval_json_has_every_metric_with_counts(folders):
    r = run(folders, folders/'a', folders/'b', '--metrics', 'fid,kid,swd,pr', '--dims', '64', '--json', folders/'r.json')
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((folders/'r.json').read_text())
    assert set(res) == {'fid', 'kid', 'swd', 'pr'}
    assert res['fid']['value'] > 0 and res['fid']['n_a'] == res['fid']['n_b'] == 80
    assert 'fid' in r.stdout and 'n_a=80' in r.stdout

def test_eval_against_saved_statistics(folders):
    r = run(folders, folders/'a', folders/'a', '--metrics', 'fid', '--dims', '64', '--json', folders/'self.json')
    assert r.returncode == 0, r.stderr[-2000:]
    assert abs(json.loads((folders/'self.json').read_text())['fid']['value']) < 1e-6
    save_stats(folders/'zero.npz', np.zeros(64), np.eye(64), 10)
    r = run(folders, folders/'zero.npz', folders/'b', '--metrics', 'fid', '--dims', '64')
    assert r.returncode == 0 and 'sample counts differ' in r.stdout
    r = run(folders, folders/'zero.npz', folders/'b', '--metrics', 'kid', '--dims', '64')
    assert r.returncode == 2 and 'FID statistics only' in r.stderr

def test_eval_without_weights_says_where_to_get_them(folders, tmp_path):
    r = run(folders, folders/'a', folders/'b', torch_home=tmp_path)
    assert r.returncode == 2 and 'pt_inception-2015-12-05-6726825d.pth' in r.stderr and 'Traceback' not in r.stderr
