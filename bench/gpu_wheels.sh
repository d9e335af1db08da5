#!/usr/bin/env bash
# The wheels `bench/gpu.py` needs on a GPU machine that has Python 3.12 and torch but not fastai and friends (as this
# project's GPU machine): the shared downloader's default set, plus IPython for nbdev_test. Into ./.whl; run from the
# project root: bench/gpu_wheels.sh
exec ../shared/gpu/wheels.sh fastai==2.8.7 fastcore==1.14.5 fasttransform==0.0.2 "fastprogress<1.1" fastdownload \
  plum-dispatch==2.10.1 beartype pytorch-fid simplejpeg lpips nbdev==2.4.14 "execnb<0.2" ghapi asttokens astunparse \
  watchdog ipython==9.18.1 ipython_pygments_lexers==1.1.1 traitlets==5.16.1 decorator jedi==0.20.1 parso==0.8.7 \
  prompt_toolkit==3.0.53 wcwidth==0.9.4 pexpect==4.9.0 ptyprocess==0.7.0 matplotlib-inline==0.2.2 stack-data==0.6.3 \
  executing==2.3.0 pure_eval==0.2.4 comm==0.2.3
