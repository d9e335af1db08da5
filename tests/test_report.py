"The comparison's report and console: tiny runs on the real sample, report.html opened in headless Chromium."
import os, re, subprocess
import pandas as pd
from pathlib import Path
import pytest
from conftest import cli, in_process
from lsun_gan.test_utils import find_browser, browse, blank, IMAGE_CHECK

CFG = """base: {size: 32, nf: 8, bs: 16, n_eval: 16, limit: 64}
runs:
  - {name: d, arch: dcgan, budget_seconds: 3}
  - {name: w, arch: wgan, budget_gen_steps: 2}
"""

@pytest.fixture(scope='module')
def compared(tmp_path_factory):
    "lsun_gan_compare of two tiny runs with its stdout a pipe, as `| cat` has it: (out folder, stdout)"
    from lsun_gan.cache import sample_path
    from conftest import ROOT
    sample = sample_path(ROOT)
    if sample is None: pytest.skip("no LSUN sample: set LSUN_GAN_SAMPLE or put it in ../shared/data/lsun_bedroom_sample")
    tmp = tmp_path_factory.mktemp('cmp')
    (tmp/'cfg.yaml').write_text(CFG)
    r = subprocess.run([cli('lsun_gan_compare'), tmp/'cfg.yaml', '--data', sample, '--out', tmp/'out', '--workers', '0'],
                       capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert r.returncode == 0, r.stderr[-2000:]
    return tmp/'out', r.stdout

def test_console_without_a_terminal(compared):
    "A pipe gets no progress-bar debris, one line per run, no epoch lines (they are in each run's log), a table ≤ 120 wide"
    out, stdout = compared
    assert '\r' not in stdout and '█' not in stdout and 'epoch 1' not in stdout
    assert len(re.findall(r'^[dw]: .* s, .* images, .* generator steps; SWD', stdout, re.M)) == 2, stdout
    table = stdout.split('\nw: ')[1].split('\nresults in')[0].splitlines()[1:]   # after the last run's line
    assert table[0].split()[:3] == ['arch', 'net', 'size'] and max(map(len, table)) <= 120, table
    assert 'epoch 1' in (out/'d'/'log.txt').read_text() and 'report.html' in stdout

def test_report_files(compared):
    "report.html is one light file with the table, every run's grid, curves, neighbours, config and links; compare.png too"
    out, _ = compared
    page = (out/'report.html').read_text()
    assert (out/'report.html').stat().st_size < 3e6 and (out/'compare.png').stat().st_size > 10_000
    assert re.findall(r'<img src="([^"]*)"', page) and all(s.startswith('data:image/') for s in re.findall(r'<img src="([^"]*)"', page))
    assert page.count('Final grids') == 1 and 'd: SWD' in page and 'w: SWD' in page and 'gen_loss per epoch' in page
    assert 'w: generated (left)' in page and '<a href="w/">' in page and '&quot;arch&quot;: &quot;wgan&quot;' in page and '&quot;cores&quot;' in page
    assert 'size (px)' in page and 'fid' not in re.findall(r'<th>([^<]*)</th>', page)   # no FID weights: no FID column
    # the latent walks of both noise runs, as animated GIFs; one seed each, so no section on differences
    assert page.count('data:image/gif;base64,') == 2 and 'd: walk_jump' in page and 'w: walk_jump' in page
    assert (out/'d'/'walk.png').exists() and 'Which differences hold' not in page

def test_report_regenerated_without_training(compared):
    "make_report reads the run folders back: it rewrites report.html and trains nothing"
    from lsun_gan.experiment import make_report
    out, _ = compared
    stamp, old = (out/'d'/'ckpt.pth').stat().st_mtime_ns, (out/'report.html').read_text()
    (out/'report.html').unlink()
    assert make_report(out, neighbours=False) == out/'report.html' and (out/'d'/'ckpt.pth').stat().st_mtime_ns == stamp
    assert 'Final grids' in (out/'report.html').read_text() and 'Nearest training images' not in (out/'report.html').read_text()
    make_report(out)
    assert 'Nearest training images' in (out/'report.html').read_text() and len(old) > 10_000

@pytest.mark.skipif(find_browser() is None, reason="no Chromium here (apt-get install chromium): the browser test needs one")
def test_report_in_a_browser(compared, tmp_path):
    "Headless Chromium shows the report: the screenshot is not blank, the console is empty, every image loaded"
    out, _ = compared
    page = out/'report_checked.html'   # the report, plus a script that logs each image the browser could not show
    page.write_text((out/'report.html').read_text().replace('</body>', IMAGE_CHECK + '</body>'))
    msgs = browse(page, tmp_path/'report.png', (1280, 2000))
    assert msgs == [] and not blank(tmp_path/'report.png')

SEEDED = """base: {size: 32, nf: 8, bs: 16, n_eval: 16, limit: 64, budget_gen_steps: 2}
runs:
  - {name: d, arch: dcgan}
  - {name: d2, arch: dcgan, lr: 0.001}
"""

def test_compare_with_seeds(sample, tmp_path, capsys):
    "--seeds 2: a run per config and seed, the table's mean ± std and n, the differences tested, a grid per config"
    (tmp_path/'cfg.yaml').write_text(SEEDED)
    r = in_process('lsun_gan_compare', tmp_path/'cfg.yaml', '--seeds', '2', '--data', sample, '--out', tmp_path/'out',
                   '--workers', '0', capsys=capsys)
    assert r.returncode == 0, r.stderr[-2000:]
    from lsun_gan.experiment import _runs
    df = pd.read_csv(tmp_path/'out'/'results.csv')
    assert list(zip(df['name'], df['run'], df['seed'])) == [('d', 'd_seed42', 42), ('d', 'd_seed43', 43),
                                                           ('d2', 'd2_seed42', 42), ('d2', 'd2_seed43', 43)]
    assert [p.name for p in _runs(tmp_path/'out')] == list(df['run'])
    assert df.groupby('name')['swd_avg'].nunique().tolist() == [2, 2]   # the seeds differ
    notes = r.stdout.split('\nd_seed42: ')[0].splitlines()   # the lines before the first run's
    table = r.stdout.split('\nd2_seed43: ')[1].split('\nDifferences beyond')[0].splitlines()[1:]
    assert re.search(r'^d2? +2 +dcgan .*±', '\n'.join(table), re.M) and max(map(len, notes + table)) <= 120, r.stdout
    assert re.search(r'Differences beyond the spread of the seeds: \d of 2 pairs', r.stdout), r.stdout
    page = (tmp_path/'out'/'report.html').read_text()
    assert 'Which differences hold' in page and 'every pair tested' in page and page.count('data:image/gif') == 2
    assert (tmp_path/'out'/'compare.png').exists()
