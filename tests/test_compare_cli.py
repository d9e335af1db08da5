"lsun_gan_compare from the command line: a YAML config of runs and a sweep, on the real sample, with tiny budgets."
import os, subprocess
import pandas as pd, pytest
from conftest import cli

def test_compare_yaml_runs_and_sweep(sample, tmp_path):
    (tmp_path/'cfg.yaml').write_text("""
base: {size: 32, budget_images: 64, n_eval: 32}
runs:
  - {name: w, arch: wgan, n_crit: 2}
sweep: {arch: [dcgan], lr: [0.0002, 0.001]}
""")
    r = subprocess.run([cli('lsun_gan_compare'), tmp_path/'cfg.yaml', '--data', sample, '--out', tmp_path/'out', '--workers', '0'],
                       capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '2'})
    assert r.returncode == 0, r.stderr[-2000:]
    df = pd.read_csv(tmp_path/'out'/'results.csv', index_col='name')
    assert list(df.index) == ['w', 'dcgan_lr0.0002', 'dcgan_lr0.001']
    assert (df['images_seen'] >= 64).all() and df['swd_avg'].notna().all()
    assert 'results in' in r.stdout

@pytest.mark.parametrize('args,msg', [(['--preset', 'nope'], 'unknown preset'), ([], 'either a CONFIG file or --preset')])
def test_compare_bad_arguments(sample, tmp_path, args, msg):
    r = subprocess.run([cli('lsun_gan_compare'), *args, '--data', sample, '--out', tmp_path/'o'], capture_output=True, text=True)
    assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr
