"""Models shared by the review tests."""

# Two tracks completing at one uncertain rate r ~ lognormal(median 0.5, p90 1.5) per year; the
# evidence: north not done after a year (its likelihood exp(-r), so the posterior of r is lower).
SHARED_RATE = """\
scenario: shared_rate
title: An uncertain rate and an observation that lowers it
start: 2030-01-01
horizon: 2032-01-01
tracks:
  north: {states: [waiting, done], initial: waiting}
  south: {states: [waiting, done], initial: waiting}
parameters:
  r:
    label: Rate of completion, per year
    value: {lognormal: {median: 0.5, p90: 1.5}}
events:
  - {id: north_done, track: north, from: waiting, to: done, rate: $r per year}
  - {id: south_done, track: south, from: waiting, to: done, rate: $r per year}
outcomes:
  south: {when: south == done}
evidence:
  - {date: 2031-01-01, when: north == done, observed: false}
"""
