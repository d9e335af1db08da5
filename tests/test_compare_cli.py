"lsun_gan_compare from the command line: a YAML config of runs and a sweep, on the real sample, with tiny budgets."
import os, subprocess
from pathlib import Path
import pandas as pd, pytest
from conftest import cli, in_process

def test_compare_yaml_runs_and_sweep(sample, tmp_path):
    (tmp_path/'cfg.yaml').write_text("""
base: {size: 32, budget_images: 64, n_eval: 32}
runs:
  - {name: w, arch: wgan, n_crit: 2, budget_images: null, budget_gen_steps: 2}
sweep: {arch: [dcgan], lr: [0.0002, 0.001]}
""")
    r = subprocess.run([cli('lsun_gan_compare'), tmp_path/'cfg.yaml', '--data', sample, '--out', tmp_path/'out', '--workers', '0'],
                       capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '2'})
    assert r.returncode == 0, r.stderr[-2000:]
    df = pd.read_csv(tmp_path/'out'/'results.csv', index_col='name')
    assert list(df.index) == ['w', 'dcgan_lr0.0002', 'dcgan_lr0.001']
    assert (df['images_seen'] >= 64).all() and df['swd_avg'].notna().all()
    assert {'net', 'gen_steps', 'warnings', 'fd_pixels', 'kid_pixels'} <= set(df.columns) and 'fid' not in df.columns
    assert df['swd_untrained'].notna().all() and list(df['net']) == ['nf 64']*3
    assert 'results in' in r.stdout
    import json
    s = json.loads((tmp_path/'out'/'w'/'summary.json').read_text())
    assert s['warnings'] == [] and (s['gen_steps'], s['crit_steps']) == (2, 4)
    assert not (tmp_path/'out'/'w'/'.unfinished').exists()

@pytest.mark.parametrize('args,msg', [(['--preset', 'nope'], 'unknown preset'), ([], 'either a CONFIG file or --preset')])
def test_compare_bad_arguments(sample, tmp_path, args, msg, capsys):
    r = in_process('lsun_gan_compare', *args, '--data', sample, '--out', tmp_path/'o', capsys=capsys)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr

def test_run_names_cannot_leave_out_and_foreign_folders_survive(tmp_path, capsys):
    "A run named ../victim (or an absolute path) is refused; an existing folder that is not an unfinished run of ours is kept"
    victim = tmp_path/'victim'; victim.mkdir(); (victim/'precious.txt').write_text('keep me')
    out = tmp_path/'out'; (out/'dcgan').mkdir(parents=True); (out/'dcgan'/'mine.txt').write_text('mine')
    data = tmp_path/'imgs'; data.mkdir()
    for name in ('../victim', str(victim), 'a/b'):
        (tmp_path/'c.yaml').write_text(f"runs:\n  - {{name: '{name}', arch: dcgan, size: 32}}\n")
        r = in_process('lsun_gan_compare', tmp_path/'c.yaml', '--data', data, '--out', out, capsys=capsys)
        assert r.returncode == 2 and 'run name' in r.stderr and 'Traceback' not in r.stderr, r.stderr[-1500:]
    (tmp_path/'c.yaml').write_text("runs:\n  - {arch: dcgan, size: 32}\n")
    r = in_process('lsun_gan_compare', tmp_path/'c.yaml', '--data', data, '--out', out, capsys=capsys)
    assert r.returncode == 2 and 'is not an unfinished run' in r.stderr, r.stderr[-1500:]
    assert (victim/'precious.txt').read_text() == 'keep me' and (out/'dcgan'/'mine.txt').read_text() == 'mine'

def test_compare_takes_several_folders(sample, tmp_path, capsys):
    "--data A B: one dataset of both folders, in order (as the cpu-hour preset trains on the sample and the extra images)"
    files = sorted(sample.iterdir())[:80]
    for name, part in (('a', files[:40]), ('b', files[40:])):
        (tmp_path/name).mkdir()
        for f in part: (tmp_path/name/f.name).symlink_to(f)
    (tmp_path/'cfg.yaml').write_text("runs:\n  - {arch: dcgan, size: 32, bs: 16, budget_gen_steps: 2, n_eval: 16}\n")
    r = in_process('lsun_gan_compare', tmp_path/'cfg.yaml', '--data', tmp_path/'a', tmp_path/'b', '--out', tmp_path/'out',
                   '--workers', '0', capsys=capsys)
    assert r.returncode == 0, r.stderr[-2000:]
    from lsun_gan.cache import ImageCache
    c = ImageCache(tmp_path/'out'/'data'/'32px')
    assert len(c) == 80 and [Path(s).name for s in c.sources] == ['a', 'b']
    r = in_process('lsun_gan_compare', tmp_path/'cfg.yaml', '--data', tmp_path/'a', tmp_path/'nope', '--out', tmp_path/'out2',
                   capsys=capsys)
    assert r.returncode == 2 and 'nope' in r.stderr and 'Traceback' not in r.stderr, r.stderr
