"Training from the command line: kill -9 mid-run, resume, and the same losses as a run never interrupted."
import csv, os, signal, subprocess, time
import pytest, torch
from conftest import cli, run_cli, one_line
from lsun_gan.cache import prepare
from lsun_gan.train import load_checkpoint

ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def losses(run): return list(csv.reader(open(run/'losses.csv')))

@pytest.fixture(scope='module')
def cache(tmp_path_factory, request):
    from lsun_gan.cache import sample_path
    from conftest import ROOT
    src = sample_path(ROOT)
    if src is None: pytest.skip("no LSUN sample: set LSUN_GAN_SAMPLE or put it in ../shared/data/lsun_bedroom_sample")
    return prepare(src, tmp_path_factory.mktemp('c')/'c32', size=32, limit=512, verbose=False).path

def train_cmd(cache, out, *extra):
    return [cli('lsun_gan_train'), 'dcgan', str(cache), '--out', str(out), '--size', '32', '--bs', '16', '--epochs', '5', '--pretrain-epochs', '1',
            '--workers', '0', *extra]

@pytest.mark.long
def test_kill_and_resume_reproduces_losses(cache, tmp_path):
    whole = subprocess.run(train_cmd(cache, tmp_path/'whole'), env=ENV, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stderr[-2000:]
    p = subprocess.Popen(train_cmd(cache, tmp_path/'killed'), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 120 and not (tmp_path/'killed'/'ckpt.pth').exists(): time.sleep(0.01)
    p.send_signal(signal.SIGKILL); p.wait()
    assert p.returncode == -signal.SIGKILL
    done = load_checkpoint(tmp_path/'killed'/'ckpt.pth')['epoch']
    assert 1 <= done < 5
    resumed = subprocess.run(train_cmd(cache, tmp_path/'killed', '--resume'), env=ENV, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert losses(tmp_path/'killed') == losses(tmp_path/'whole')
    assert load_checkpoint(tmp_path/'killed'/'ckpt.pth')['epoch'] == 5
    for a, b in zip(load_checkpoint(tmp_path/'whole'/'ckpt.pth')['generator'].values(),
                    load_checkpoint(tmp_path/'killed'/'ckpt.pth')['generator'].values()): assert torch.equal(a, b)

@pytest.mark.parametrize('args,msg', [
    (['stylegan', '{cache}'], 'unknown arch'),
    (['dcgan', '/no/such/data'], 'does not exist'),
    (['dcgan', '{cache}', '--size', '48'], 'not supported'),
    (['dcgan', '{cache}', '--size', '64'], 'prepared at 32 px'),
    (['dcgan', '{cache}', '--resume'], 'holds no run (no config.json)'),
])
def test_bad_arguments_one_line(cache, tmp_path, args, msg, capsys):
    code, err = run_cli('lsun_gan_train', *[a.format(cache=cache) for a in args], '--out', tmp_path/'r', capsys=capsys)
    assert code == 2, err[-1500:]
    one_line(err, msg)

def test_resume_with_another_arch_says_what_to_do(cache, tmp_path):
    ok = subprocess.run([*train_cmd(cache, tmp_path/'r')[:-6], '--epochs', '1', '--workers', '0'], env=ENV, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-1500:]
    r = subprocess.run([cli('lsun_gan_train'), 'wgan', str(cache), '--out', str(tmp_path/'r'), '--size', '32', '--resume'],
                       env=ENV, capture_output=True, text=True)
    assert r.returncode == 2 and 'holds a dcgan run' in r.stderr
    s = subprocess.run([cli('lsun_gan_sample'), str(tmp_path/'r'/'ckpt.pth'), '--n', '16', '--out', str(tmp_path/'g.png')],
                       env=ENV, capture_output=True, text=True)
    assert s.returncode == 0 and (tmp_path/'g.png').exists()

def test_two_runs_into_one_folder_second_is_refused(cache, tmp_path):
    "Two lsun_gan_train into one --out: the second gets one line naming the first's pid, the first is untouched"
    first = subprocess.Popen(train_cmd(cache, tmp_path/'r'), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while time.time() - t0 < 120 and not (tmp_path/'r'/'config.json').exists(): time.sleep(0.05)
    second = subprocess.run(train_cmd(cache, tmp_path/'r', '--seed', '1'), env=ENV, capture_output=True, text=True)
    first.wait()
    assert second.returncode == 2 and f'already in use by pid {first.pid}' in second.stderr, second.stderr[-1500:]
    assert first.returncode == 0, first.stderr.read()[-1500:]
    assert load_checkpoint(tmp_path/'r'/'ckpt.pth')['config']['seed'] == 42

@pytest.mark.parametrize('args,msg', [(['--lr', '-1'], 'lr must be a number > 0'), (['--bs', '0'], 'bs must be a whole number > 0'),
                                      (['--epochs', '0'], 'epochs must be a whole number > 0'), (['--device', 'gpu7'], 'unknown device')])
def test_bad_numbers_one_line(cache, tmp_path, args, msg, capsys):
    code, err = run_cli('lsun_gan_train', 'dcgan', cache, '--out', tmp_path/'r', '--size', '32', *args, capsys=capsys)
    assert code == 2, err[-1500:]
    one_line(err, msg)

def test_out_under_a_file_one_line(cache, tmp_path, capsys):
    (tmp_path/'f').write_text('a file')
    code, err = run_cli('lsun_gan_train', 'dcgan', cache, '--out', tmp_path/'f'/'run', '--size', '32', capsys=capsys)
    assert code == 2, err[-1500:]
    one_line(err, tmp_path/'f')

def test_pretrained_gan_trains_samples_and_scores(sample, tmp_path):
    "The pretrained GAN end to end from the command line: pretraining, one epoch with the collapse check, a grid"
    small = prepare(sample, tmp_path/'c64', size=32, limit=64, verbose=False).path   # wiring, not learning: 64 images
    r = subprocess.run([cli('lsun_gan_train'), 'gan', str(small), '--out', str(tmp_path/'g'), '--size', '32', '--bs', '16',
                        '--epochs', '1', '--backbone', 'resnet18', '--workers', '0'], env=ENV, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'epoch 1/1' in r.stdout and 'Traceback' not in r.stderr
    s = subprocess.run([cli('lsun_gan_sample'), str(tmp_path/'g'/'ckpt.pth'), '--n', '17', '--data', str(small),
                        '--out', str(tmp_path/'g.png')], env=ENV, capture_output=True, text=True)
    assert s.returncode == 0 and (tmp_path/'g.png').exists(), s.stderr[-2000:]
