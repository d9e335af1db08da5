"Shared helpers for the benchmarks: the machine description and table printing."
import os, platform, time
import torch

def machine() -> str:
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.processor()) \
        if os.path.exists('/proc/cpuinfo') else platform.processor()
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'
    return f"{cpu}, {os.cpu_count()} cores, {gpu}; Python {platform.python_version()}, torch {torch.__version__}"

def table(rows, header=('benchmark', 'lsun_gan', 'peer', 'ratio')) -> str:
    "Markdown table of (name, ours, peer, ratio) rows"
    out = ['| ' + ' | '.join(header) + ' |', '|' + '---|'*len(header)]
    return '\n'.join(out + ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows])

class Timer:
    def __enter__(self): self.t = time.perf_counter(); return self
    def __exit__(self, *a): self.s = time.perf_counter() - self.t
