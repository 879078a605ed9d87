"""Summarize a bench/run output directory: summary.md (table, ratios, goals) and throughput.png (gnuplot).

Usage: /usr/bin/python3 bench/summarize.py bench/results/<run>
"""
import json
import os
import statistics
import subprocess
import sys

out = sys.argv[1]
rows = [json.loads(line) for line in open(os.path.join(out, 'results.jsonl')) if line.startswith('{')]


def runs(label, kind='load'):
    return [r for r in rows if r.get('kind') == kind and r.get('label', 'ceiling') == label]


def stat(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt(s, digits=0):
    if s is None:
        return 'n/a'
    med, lo, hi = s
    f = '{:,.%df}' % digits
    return (f.format(med) + (' (' + f.format(lo) + '–' + f.format(hi) + ')' if lo != hi else ''))


summary = {}
baseline = next(('%s@%s' % (r['ref'], r['commit']) for r in rows if r.get('kind') == 'baseline'), 'baseline')
ceiling = [r for r in rows if r.get('kind') == 'ceiling']
if ceiling:
    summary['ceiling'] = {'tasks_per_s': stat([r['end_to_end_per_s'] for r in ceiling]),
                          'publish_per_s': stat([r['publish_per_s'] for r in ceiling]), 'reps': len(ceiling)}
labels = []
for r in rows:
    if r.get('kind') == 'load' and not r['label'].endswith('-latency') and r['label'] not in labels:
        labels.append(r['label'])
for label in labels:
    thr, lat = runs(label), runs(label + '-latency')
    if not thr:
        continue
    summary[label] = {
        'reps': len(thr), 'n': thr[0]['n'],
        'tasks_per_s': stat([r['tasks_per_s'] for r in thr]),
        'latency_rate': stat([r['rate_target'] for r in lat]),
        'p50': stat([r['latency_p50_ms'] for r in lat]),
        'p99': stat([r['latency_p99_ms'] for r in lat]),
        'rss': stat([r['worker_rss_mb'] for r in thr + lat]),
        'pss': stat([r['worker_pss_mb'] for r in thr + lat]),
        'procs': max(r['worker_processes'] for r in thr),
        'cpu_per_1000': stat([r['worker_cpu_s_per_1000'] for r in thr]),
        'others_per_1000': ' / '.join('%.2f' % statistics.median(r.get(k, 0) / r['n'] * 1000 for r in thr)
                                      for k in ('rabbitmq_cpu_s', 'postgres_cpu_s', 'bench_process_cpu_s')),
        'loadavg': [r['loadavg'].split()[0] for r in thr + lat],
    }

sqs_counters = {}

lines = ['| system | N × reps | tasks/s median (min–max) | p50 / p99 send→commit ms at 50 % rate (rate/s) | worker RSS MB max (PSS max), procs | worker CPU s / 1,000 tasks | RabbitMQ / PostgreSQL / producer CPU s / 1,000 |',
         '|---|---|---|---|---|---|---|']
if 'ceiling' in summary:
    c = summary['ceiling']
    lines.append('| RabbitMQ ceiling (raw RabbitMQ.Client, confirms window 256, consume+ack) | 20,000 × %d | %s (publish only: %s) | – | – | – | – |'
                 % (c['reps'], fmt(c['tasks_per_s']), fmt(c['publish_per_s'])))
def describe(label):
    system, transport, *conc = label.split('-')
    broker = 'RabbitMQ' if transport == 'amqp' else 'SQS emulator'
    if system == 'celery':
        return 'Celery 5.2 prefork -c %d, %s' % (os.cpu_count(), broker)
    who = 'DemoWorker' if transport == 'amqp' else 'bench worker = DemoWorker code'
    if system == 'base':
        who = 'before: %s %s' % (baseline, who)
    return '%s (%s), %s, %s' % ('ours' if system == 'ours' else 'baseline', who, broker, 'worker_concurrency=%s' % conc[0][1:] if conc else 'default config (concurrency %d)' % os.cpu_count())


names = {label: describe(label) for label in labels}
for label, name in names.items():
    if label in summary:
        s = summary[label]
        lines.append('| %s | %s × %d | %s | %s / %s (%s) | %s (%s), %d | %s | %s |' % (
            name, '{:,}'.format(s['n']), s['reps'], fmt(s['tasks_per_s']), fmt(s['p50'], 1), fmt(s['p99'], 1),
            fmt(s['latency_rate']), '%.0f' % s['rss'][2], '%.0f' % s['pss'][2], s['procs'], fmt(s['cpu_per_1000'], 2), s['others_per_1000']))


def ratio(a, b, key='tasks_per_s'):
    if a in summary and b in summary:
        return summary[a][key][0] / summary[b][key][0]
    return None


checks = []


def goal(text, value, ok):
    checks.append('| %s | %s | %s |' % (text, value, 'met' if ok else 'NOT met'))


for label in labels:
    if not label.startswith('ours-'):
        continue
    transport = label.split('-')[1]
    tag = ' [%s]' % label
    r = ratio(label, 'celery-' + transport)
    if r is not None:
        goal('throughput ≥ %d× Celery (%s)%s' % (15 if transport == 'amqp' else 10, transport, tag), '%.1f×' % r, r >= (15 if transport == 'amqp' else 10))
    if transport == 'amqp':
        r = ratio(label, 'ceiling')
        if r is not None:
            goal('throughput ≥ 60 %% of the broker ceiling%s' % tag, '%.0f %%' % (100 * r), r >= 0.6)
    r = ratio(label, 'celery-' + transport, 'rss')
    if r is not None:
        goal('worker RSS ≤ ¼ of Celery (%s)%s' % (transport, tag), '%.2f× (PSS %.2f×)' % (r, ratio(label, 'celery-' + transport, 'pss')), r <= 0.25)
    if summary[label]['p99']:
        p = summary[label]['p99'][0]
        goal('p99 send→result < 20 ms at half max rate (%s)%s' % (transport, tag), '%.1f ms' % p, p < 20)
    counters_file = os.path.join(out, 'sqs-counters-%s.json' % label)
    if transport == 'sqs' and os.path.exists(counters_file):
        counters = json.load(open(counters_file))
        calls = counters['ReceiveMessage'] + counters['DeleteMessage'] + counters['DeleteMessageBatch']
        per = calls / max(1, counters['MessagesReceived'])
        goal('SQS receive+delete calls per task well under one%s' % tag, '%.3f (%d Receive + %d Delete + %d DeleteBatch for %d messages)'
             % (per, counters['ReceiveMessage'], counters['DeleteMessage'], counters['DeleteMessageBatch'], counters['MessagesReceived']), per < 0.5)
        sqs_counters[label] = counters

monitor = [r for r in rows if r.get('kind') == 'monitor']
monitor_lines = []
if monitor:
    m = {'rate': stat([r['records_per_s'] for r in monitor]), 'cpu': stat([r['monitor_cpu_s_per_1000'] for r in monitor]),
         'rabbit': stat([r['rabbitmq_cpu_s'] / r['n'] * 1000 for r in monitor]), 'pg': stat([r['postgres_cpu_s'] / r['n'] * 1000 for r in monitor])}
    monitor_lines = ['### Task monitor ingest (platform.fifo → cadasta_task_record)', '',
                     '| N × reps | records/s median (min–max) | monitor CPU s / 1,000 | RabbitMQ / PostgreSQL CPU s / 1,000 | load (1 min) |', '|---|---|---|---|---|',
                     '| %s × %d | %s | %s | %s / %s | %s |' % ('{:,}'.format(monitor[0]['n']), len(monitor), fmt(m['rate']), fmt(m['cpu'], 3),
                                                      fmt(m['rabbit'], 2), fmt(m['pg'], 2), ' '.join(r['loadavg'].split()[0] for r in monitor)), '']

before_after = []
for label in labels:
    if not label.startswith('base-') or 'ours-' + label[5:] not in summary:
        continue
    after, before = summary['ours-' + label[5:]], summary[label]
    line = '* %s: %s → %s tasks/s (**%.2f×**), worker CPU %s → %s s / 1,000 tasks' % (
        label[5:], fmt(before['tasks_per_s']), fmt(after['tasks_per_s']), after['tasks_per_s'][0] / before['tasks_per_s'][0],
        fmt(before['cpu_per_1000'], 2), fmt(after['cpu_per_1000'], 2))
    if before['p99'] and after['p99']:
        line += ', p50/p99 %.1f/%.1f → %.1f/%.1f ms (each at 50 %% of its own rate)' % (before['p50'][0], before['p99'][0], after['p50'][0], after['p99'][0])
    line += ', RSS %.0f → %.0f MB' % (before['rss'][2], after['rss'][2])
    files = [os.path.join(out, 'sqs-counters-%s.json' % l) for l in (label, 'ours-' + label[5:])]
    if all(os.path.exists(f) for f in files):
        per = []
        for f in files:
            c = json.load(open(f))
            per.append((c['ReceiveMessage'] + c['DeleteMessage'] + c['DeleteMessageBatch']) / max(1, c['MessagesReceived']))
        line += ', SQS receive+delete calls per task %.3f → %.3f' % tuple(per)
    before_after.append(line)
if before_after:
    before_after = ['### Before / after (%s vs this tree, same session)' % baseline, ''] + before_after + ['']

loads = {label: s['loadavg'] for label, s in summary.items() if 'loadavg' in s}
text = ['## Results (%s)' % os.path.basename(out.rstrip('/')), ''] + lines + ['', '| goal | measured | |', '|---|---|---|'] + checks + [
    '', '1-minute load average at the end of each run: ' + '; '.join('%s %s' % (k, ' '.join(v)) for k, v in loads.items()), ''] + monitor_lines + before_after
for label, counters in sqs_counters.items():
    text.append('SQS API calls by our worker %s (whole worker life, warm-ups and latency runs included): `%s`' % (label, json.dumps(counters)))
open(os.path.join(out, 'summary.md'), 'w').write('\n'.join(text) + '\n')
print('\n'.join(text))

data = os.path.join(out, 'throughput.dat')
with open(data, 'w') as f:
    index = 0
    for label, name in [('ceiling', 'RabbitMQ ceiling')] + [(l, l) for l in labels]:
        if label in summary:
            med, lo, hi = summary[label]['tasks_per_s']
            f.write('%d "%s" %f %f %f\n' % (index, name, med, lo, hi))
            index += 1
if index == 0:
    sys.exit(0)  # nothing to chart (e.g. --only monitor)
subprocess.run(['gnuplot'], input='''
set terminal pngcairo size 1100,500 font "DejaVu Sans,11"
set output "{png}"
set title "msg.noop with results in PostgreSQL: throughput (median of runs, bars = min..max)"
set ylabel "tasks/s (log scale)"
set logscale y
set yrange [10:*]
set style fill solid 0.6
set boxwidth 0.6
set grid ytics
unset key
set xrange [-0.6:{xmax}]
plot "{data}" using 1:3:xtic(2) with boxes lc rgb "#3a6ea5", \\
     "{data}" using 1:3:4:5 with yerrorbars lc rgb "black" pt 0, \\
     "{data}" using 1:3:(sprintf("%.0f", $3)) with labels offset 0,1.2
'''.format(png=os.path.join(out, 'throughput.png'), data=data, xmax=index - 0.4), text=True, check=True)
