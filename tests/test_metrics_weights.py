"""FID Inception weights: loaded with weights_only (a pickle that runs code is refused), bias-free IS logits, and paths
that need no weights never build the Inception."""
import pickle
from pathlib import Path
import numpy as np, pytest, torch
from PIL import Image
from conftest import in_process
from lsun_gan.core import UsageError
from lsun_gan.test_utils import write_random_fid_weights
from lsun_gan.metrics import InceptionFeatures, PixelFeatures, evaluate
from lsun_gan.callbacks import FIDCallback

class Evil:
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return (Path.touch, (Path(self.marker),))

@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp('w')
    for name in 'ab':
        (d/name).mkdir()
        for i in range(12): Image.fromarray(np.random.default_rng(i + (name == 'b')*99).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(d/name/f'{i}.png')
    write_random_fid_weights(d/'th')
    (d/'empty').mkdir()
    return d

@pytest.fixture
def run(monkeypatch, capsys):
    "lsun_gan_eval run in this process with TORCH_HOME `torch_home` and `d`'s HOME: a `CompletedProcess`"
    def go(d, *args, torch_home):
        monkeypatch.setenv('TORCH_HOME', str(torch_home)); monkeypatch.setenv('HOME', str(d/'home'))
        return in_process('lsun_gan_eval', *args, capsys=capsys)
    return go

def test_weights_that_run_code_are_refused_in_one_line(setup, tmp_path, run):
    marker = tmp_path/'pwned'
    torch.save({'Conv2d_1a_3x3.conv.weight': Evil(marker)}, tmp_path/'evil.pth')
    r = run(setup, setup/'a', setup/'b', '--dims', '64', '--weights', tmp_path/'evil.pth', torch_home=setup/'empty')
    assert not marker.exists()
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and 'asks to run Python code' in r.stderr, r.stderr[-2000:]

def test_corrupt_weights_are_one_line(setup, tmp_path, run):
    good = (setup/'th'/'hub'/'checkpoints').glob('*.pth').__next__().read_bytes()
    (tmp_path/'cut.pth').write_bytes(good[:len(good)//3])
    (tmp_path/'other.pth').write_bytes(b'')
    torch.save({'x': torch.zeros(1)}, tmp_path/'wrong.pth')
    for f, words in (('cut.pth', 'corrupt'), ('wrong.pth', "does not hold pytorch-fid's FID Inception weights")):
        r = run(setup, setup/'a', setup/'b', '--dims', '64', '--weights', tmp_path/f, torch_home=setup/'empty')
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr[-2000:]

def test_inception_score_logits_leave_out_the_bias(setup, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(setup/'th'))
    inc = InceptionFeatures()
    sd = torch.load(next((setup/'th'/'hub'/'checkpoints').glob('*.pth')), weights_only=True)
    f, logits = inc(torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)))
    assert sd['fc.bias'].abs().max() > 0.01
    torch.testing.assert_close(logits, f @ sd['fc.weight'].T, rtol=1e-4, atol=1e-4)

def test_weights_free_paths_need_no_weights(setup, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(setup/'empty'))
    res = evaluate(setup/'a', setup/'b', 'fid,kid,pr,swd', extractor=PixelFeatures(), cache_dir=False, progress=False)
    assert set(res) == {'fd_pixels', 'kid_pixels', 'pr_pixels', 'swd'} and 'fid' not in res
    assert 'Fréchet distance of 8×8 pixel features' == res['fd_pixels']['what']
    with pytest.raises(UsageError, match='--features pixels'): evaluate(setup/'a', setup/'b', 'fid', progress=False)

def test_fid_callback_logs_under_the_extractors_names():
    assert FIDCallback(extractor=PixelFeatures(), extras=('kid', 'swd')).names == \
        ('fd_pixels', 'fd_pixels_n', 'fd_pixels_n_real', 'kid_pixels', 'swd')
    assert FIDCallback(extras=('kid',)).names == ('fid', 'fid_n', 'fid_n_real', 'kid')
