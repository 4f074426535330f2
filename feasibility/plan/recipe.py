"""The training recipe: every number that decides how a probe is built and trained, each with the reason for it.

Measured on 2 CPU cores; docs/probe-recipe.md tells how the numbers were found and what was tried and not kept.
The plan (probe_plan.py) and the job (jobs.py) carry them into training (probes/train.py); nothing else sets them.
"""

from __future__ import annotations

# The probe.
PROBE_WIDTH = 64  # residual width of every probe
PROBE_HEADS = 4  # four heads of 16 dims; two or eight heads stalled on 2-lookup questions at 32 tokens
PROBE_MLP_RATIO = 0  # attention-only probes: retrieval is done by attention, and the step is ~2x faster
TIED_FROM_HOPS = 3  # from 3 lookups on, the output head reads the token embedding: at 32 tokens with the pool of a
# 128-token task, 3 lookups went from 12% (own head weight) to 99.4% in 3,000 steps at depth 3; at 2 lookups the
# tied head left a seed stuck at 1% where the untied one learned in every seed
SYMBOL_POOL_FACTOR = 1.25  # pool = 1.25x the symbols one example at the task's length draws: a larger pool slows
# learning at 32 tokens (2x for a 128-token task left the weakest seed at 99.0% after 1,500 steps, 1.1x learned)
KHOP_ALPHABET = 4  # as in Sanford et al.'s reference task
BATCH_SIZE = 64
LEARNING_RATE = 2e-3  # 3e-3 stalled below chance in 2 of 3 seeds on 2-lookup questions; 1e-3 learned but slower
WARMUP_STEPS = 300  # a long warm-up carried every seed past the "one lookup short" answer together
EVAL_EVERY = 50
CHECK_QUESTIONS = 1024  # the stop rule's running check, per seed
VERDICT_QUESTIONS = 4096  # the fresh set the verdict is read on, per seed: one question per example
FULL_LENGTH_COST = 8  # the full-length sets may cost up to this many times the verdict set (4,096 questions at the
# example's 128 tokens, where a check reading 5,120 per seed took 8.5-9.4 s; with 1,536 there, a weakest seed at 99.35%
# had a lower bound of 98.8%) ...
FULL_LENGTH_ERRORS = 2  # ... but holds at least as many questions as show the target with this many wrong (728 for
# 99%): with fewer, even a probe that answers every one could not show the target at the task's length
# Probes that train shorter than the task carry what they learn to its length (docs/probe-recipe.md, "Length"):
FULL_CHECK_QUESTIONS = 1024  # the running check at the task's length reads this many per seed (at least as many as can
# show the target): with the verdict's 4,096 at 128 tokens each took 11-12 s and the example's depth 3 spent 48 s of its
# 178 on them; 1,024 pass only with at most 3 wrong (99.7%), a stricter bar than the verdict set's, at a quarter of the cost
FULL_CHECK_SPACING = 2  # running checks at the task's length every 2 checks at the probe's length (100 steps) where
# they cost more than those: in the example's run (commit 713de1d) one that read its whole set (5,120 questions per seed
# at 128 tokens) took 8.5-9.4 s, against 2.7 s for 50 training steps with their check at 32 tokens
FULL_LENGTH_PASSES = 2  # the stop rule ends training once this many running checks in a row pass at the task's length:
# stopped at the first, the example's depth 3 passed its check at 99.54-99.67% and then answered 99.35-99.41% of fresh
# questions (the first pass is partly luck, and fresh questions regress from it)
AT_CHANCE_SHARE = 0.5  # a probe whose question stays at chance in every seed for half the step budget, its check loss
# flat, stops there (train.Trainer.at_chance_long_enough): the example's depth 2 sat at chance for all 2,000 steps
# (0.0-1.6%, where guessing the most recent ground value scores 18-19%) while depth 3 rose above it by step 700
CHANCE_LOSS_DROP = 0.1  # ... and flat means: down by less than this share over the last quarter of the step budget (depth 2
# there fell 10.7%, 4.7% and 2.2% in the quarters after step 500; depth 3 fell 27% from step 300 to 500, while still at chance)
SKIP_POSITIONS = True  # ... by training on skipped positions spanning the task's length (train.skipped_positions): the
# example's depth 3 after 1,500 steps at 32 tokens answered 52-59% at 128 without, 97.2-98.7% with
LENGTH_SCALING = True  # ... and by a learned log-length scaling of q.k (probe.Attention): 98.7-99.4% with both
# Where the task is at most NEAR_LENGTH_RATIO times the probe's length (docs/probe-recipe.md, "The previous-token start and
# an early decay"), two settings more:
NEAR_LENGTH_RATIO = 4
PREVIOUS_TOKEN_START = 2.0  # each layer's first head's distance-1 bias this much above the ALiBi-like start: the example's
# depth 3 left chance at step 450 instead of 600-700, the 1-lookup profile learned in 250-300 steps instead of 350-450 ...
EARLY_DECAY_STEPS = 300  # ... and once every seed passes at the probe's length, the rate decays to the floor over this
# many steps and the task's length is checked where it ends: with both the example's depth 3 held at 128 tokens at step
# 1,450 instead of 2,000, the controls at chance. At 512 tokens (3 lookups, 16x the probe's length) they carried 92.5-95.6%
# there against the recipe's 98.4%: on a long input the carry takes steps at a high rate after the question is learned


def near_task_length(task_length: int, probe_length: int) -> bool:
    """Whether the previous-token start and the early decay apply: the task at most NEAR_LENGTH_RATIO times the probe's length."""
    return task_length <= NEAR_LENGTH_RATIO * probe_length


# The optimiser and the stop rule.
OPTIMISER = "adamw"  # AdamW for every weight; "muon" (probes/optim.py) with a faster rate for the position biases
# halved the example's steps to its verdict at 128 tokens but left the 1-lookup profile unlearned at 128 (docs/probe-recipe.md,
# "Optimiser trials"), so it is measured by the probe benchmark and not the recipe
MUON_LR = 0.02  # with "muon": Muon's rate for the blocks' matrices (0.005-0.01 and 0.04 did worse on the example)
MUON_MOMENTUM = 0.95  # torch.optim.Muon's default
WEIGHT_DECAY = 0.01
GRAD_CLIP = 1.0  # each seed's gradient norm is clipped on its own (train._clip_per_member)
ADAM_BETAS = (0.9, 0.98)
LR_FLOOR = 0.1  # the cosine decay ends at this share of the learning rate (train.learning_rate_factor)
PLATEAU_PATIENCE = 10  # evaluations without a PLATEAU_DROP fall in check loss before the run counts as flat
PLATEAU_DROP = 0.01
# Seeds of the evaluation sets, each set's offset added to the probe's seed: apart from training's and each other's.
CHECK_SEED, VERDICT_SEED, FULL_VERDICT_SEED, FULL_CHECK_SEED = 10_007, 20_011, 30_011, 40_013
