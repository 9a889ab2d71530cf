// Live dashboard: loads the stored windows of the period shown from /api/windows, then listens to
// dashboard.stats on the SockJS event-bus bridge (one snapshot a second, the same
// JSON as /api/stats) and renders it. Every value that comes from events (product ids, categories) is set
// with textContent, never as HTML.
(function () {
  'use strict';

  const ADDRESS = 'dashboard.stats';
  const STALE_MS = 5000;
  const MAX_BACKOFF_MS = 10000;
  const TABLE_ROWS = 8;

  const intFmt = new Intl.NumberFormat('en-US');
  const decFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const moneyFmt = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  const wholeMoney = new Intl.NumberFormat('en-US', {
    style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0,
  });
  const compactMoney = new Intl.NumberFormat('en-US', {
    style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1,
  });
  const pctFmt = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  const timeFmt = new Intl.DateTimeFormat(undefined, {
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });

  const $ = (id) => document.getElementById(id);
  const known = (v) => v !== null && v !== undefined;
  const int = (v) => (known(v) ? intFmt.format(v) : '–');
  const dec = (v) => (known(v) ? decFmt.format(v) : '–');
  const money = (cents) => (known(cents) ? moneyFmt.format(cents / 100) : '–');
  const pct = (v) => (known(v) ? pctFmt.format(v) : '–');
  // Large sums in a tile: whole dollars up to $100,000, then "$866.8K" or "$6.4M" (the exact sum is its title).
  const bigMoney = (cents) => {
    if (!known(cents)) {
      return '–';
    }
    return cents < 10000000 ? wholeMoney.format(cents / 100) : compactMoney.format(cents / 100);
  };

  function setText(id, value) {
    const node = $(id);
    if (node.textContent !== value) {
      node.textContent = value;
    }
  }

  function windowLabel(seconds) {
    if (!known(seconds)) {
      return 'window';
    }
    return seconds % 60 === 0 ? `${seconds / 60} min` : `${decFmt.format(seconds)} s`;
  }



  const RANGES = { '15m': 15 * 60000, '1h': 3600000, '6h': 6 * 3600000, '24h': 24 * 3600000 };
  const KEEP_MS = RANGES['24h'];
  const dayTimeFmt = new Intl.DateTimeFormat(undefined, {
    month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const shortTimeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  let last = null;
  let range = '1h';
  // Closed windows by start, from PostgreSQL at load (and on a range change), then from every live push.
  const windows = { events: new Map(), revenue: new Map() };
  let rangeTop = null;
  let historyLoaded = false;
  const charts = {};

  function keep(map, w) {
    const old = map.get(w.window_start);
    // A window is reported partition by partition: keep whichever source has seen more of them.
    if (!old || w.partitions >= old.partitions) {
      map.set(w.window_start, w);
    }
  }

  function newestEnd() {
    let end = 0;
    for (const map of [windows.events, windows.revenue]) {
      for (const w of map.values()) {
        end = Math.max(end, w.window_end);
      }
    }
    return end;
  }

  // The period shown: the chosen range back from the newest closed window's end (the same rule as the server's).
  function period() {
    const to = newestEnd();
    return to ? { from: to - RANGES[range], to } : null;
  }

  function visible(map, p) {
    if (!p) {
      return [];
    }
    return [...map.values()].filter((w) => w.window_end > p.from && w.window_start < p.to)
      .sort((a, b) => a.window_start - b.window_start);
  }

  function prune() {
    const to = newestEnd();
    for (const map of [windows.events, windows.revenue]) {
      for (const [start, w] of map) {
        if (w.window_end <= to - KEEP_MS) {
          map.delete(start);
        }
      }
    }
  }

  function span(from, to) {
    // Seconds only where windows do not fall on whole minutes (short test windows).
    const f = from % 60000 || to % 60000 ? timeFmt : (to - from > 20 * 3600000 ? dayTimeFmt : shortTimeFmt);
    return `${f.format(new Date(from))}–${f.format(new Date(to))}`;
  }

  function loadHistory() {
    const asked = range;
    fetch(`api/windows?range=${asked}`, { cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : null))
      .then((h) => {
        if (!h || asked !== range) {
          return;
        }
        h.series.events_per_minute.forEach((w) => keep(windows.events, w));
        h.series.revenue_per_5min.forEach((w) => keep(windows.revenue, w));
        rangeTop = h.top;
        historyLoaded = true;
        renderWindows();
      })
      .catch(() => {});
  }

  function selectRange(name) {
    range = name;
    // In the address, so a link or a bookmark opens the same period.
    history.replaceState(null, '', `#range=${name}`);
    document.querySelectorAll('.range button').forEach((b) => b.setAttribute('aria-pressed',
      String(b.dataset.range === name)));
    rangeTop = null;
    loadHistory();
    renderWindows();
  }

  function palette() {
    const css = getComputedStyle(document.documentElement);
    const v = (name) => css.getPropertyValue(name).trim();
    return {
      text: v('--text'), muted: v('--muted'), grid: v('--grid'), total: v('--s-total'), views: v('--s-views'),
      carts: v('--s-carts'), purchases: v('--s-purchases'), other: v('--s-other'), revenue: v('--s-revenue'),
    };
  }

  function withAlpha(hex, alpha) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex);
    if (!m) {
      return hex;
    }
    const n = parseInt(m[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  function chartHeight() {
    return window.matchMedia('(max-width: 600px)').matches ? 210 : 260;
  }

  function axes(c, yValues) {
    const common = { stroke: c.muted, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
    return [common, Object.assign({}, common, { size: 60, values: yValues })];
  }


  function eventsChart(node, c) {
    const line = (label, stroke, width) => ({ label, stroke, width, points: { show: false } });
    return new uPlot({
      width: node.clientWidth || 300,
      height: chartHeight(),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => currentXRange() },
        y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.1)] },
      },
      series: [
        {},
        line('All events', c.total, 2.5),
        line('Page views', c.views, 1.5),
        line('Add to cart', c.carts, 1.5),
        line('Purchases', c.purchases, 1.5),
        line('Other', c.other, 1.5),
      ],
      axes: axes(c, (u, splits) => splits.map((v) => intFmt.format(v))),
    }, [[], [], [], [], [], []], node);
  }

  function revenueChart(node, c) {
    return new uPlot({
      width: node.clientWidth || 300,
      height: chartHeight(),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => currentXRange() },
        y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.1)] },
      },
      series: [
        {},
        {
          label: 'Revenue',
          stroke: c.revenue,
          fill: withAlpha(c.revenue, 0.55),
          width: 1,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [0.7, 80], align: 1 }),
          value: (u, v) => (known(v) ? moneyFmt.format(v) : '–'),
        },
      ],
      axes: axes(c, (u, splits) => splits.map((v) => compactMoney.format(v))),
    }, [[], []], node);
  }

  // uPlot's time scale is in seconds. The x range is always the period shown, never guessed from the data, so
  // a single window sits on a sensible axis (guessing from one point gave years-wide or 1970-based axes).
  function currentXRange() {
    const p = period();
    return p ? [p.from / 1000, p.to / 1000] : [Date.now() / 1000 - 3600, Date.now() / 1000];
  }

  function createCharts() {
    const c = palette();
    Object.values(charts).forEach((chart) => chart.destroy());
    charts.events = eventsChart($('events-chart'), c);
    charts.revenue = revenueChart($('revenue-chart'), c);
    renderWindows();
  }

  function renderCharts(p, events, revenue) {
    showChart('events', events.length);
    charts.events.setData([
      events.map((w) => w.window_start / 1000),
      events.map((w) => w.event_count),
      events.map((w) => w.page_views),
      events.map((w) => w.add_to_carts),
      events.map((w) => w.purchases),
      events.map((w) => Math.max(0, w.event_count - w.page_views - w.add_to_carts - w.purchases)),
    ]);
    mark($('events-chart'), p, events.length, Math.max(0, ...events.map((w) => w.event_count)));

    showChart('revenue', revenue.length);
    charts.revenue.setData([
      revenue.map((w) => w.window_start / 1000),
      revenue.map((w) => w.total_revenue_cents / 100),
    ]);
    mark($('revenue-chart'), p, revenue.length, Math.max(0, ...revenue.map((w) => w.total_revenue_cents)));
  }

  // No windows yet: a sentence instead of an empty chart with a made-up axis.
  function showChart(name, points) {
    const node = $(`${name}-chart`);
    const wasHidden = node.hidden;
    node.hidden = points === 0;
    $(`${name}-waiting`).hidden = points > 0;
    if (wasHidden && !node.hidden) {
      charts[name].setSize({ width: node.clientWidth, height: chartHeight() });
    }
  }

  // What a chart shows, readable without looking at the canvas (for assistive tech and tests).
  function mark(node, p, points, max) {
    node.dataset.points = String(points);
    node.dataset.max = String(max);
    node.dataset.from = p ? String(p.from) : '';
    node.dataset.to = p ? String(p.to) : '';
    node.setAttribute('aria-label', points ? `${points} windows from ${span(p.from, p.to)}, highest `
      + `${intFmt.format(max)}` : 'no closed window yet');
  }

  function resizeCharts() {
    for (const [name, chart] of Object.entries(charts)) {
      const node = $(`${name}-chart`);
      if (!node.hidden) {
        chart.setSize({ width: node.clientWidth, height: chartHeight() });
      }
    }
  }

  function render(s) {
    last = s;
    const ws = s.window_seconds;
    const rates = s.rates;
    s.series.events_per_minute.forEach((w) => keep(windows.events, w));
    s.series.revenue_per_5min.forEach((w) => keep(windows.revenue, w));
    prune();

    setText('throughput', dec(rates.events_processed_per_second));
    setText('arriving', dec(rates.events_in_per_second));
    setText('stored', int(s.totals.events_stored));
    setText('stored-sub', known(s.totals.counted_at)
      ? `rows in PostgreSQL, all time (counted ${timeFmt.format(new Date(s.totals.counted_at))})`
      : 'rows in PostgreSQL, all time');
    setText('dlq', int(s.totals.dead_letters));
    setText('dlq-rate', dec(rates.dead_letters_per_minute));
    setText('dlq-rate-2', dec(rates.dead_letters_per_minute));
    setText('dlq-ratio', pct(rates.dead_letter_ratio));
    setText('late', dec(rates.late_events_per_minute));
    setText('late-sub', known(rates.late_events_per_minute)
      ? 'per minute, stored but after their window closed'
      : 'counted where the pipeline runs (stream_pipeline_events_late_total in Prometheus)');
    setText('lag', int(s.lag.total));
    setText('updated', `updated ${timeFmt.format(new Date(s.generated_at))}`);
    setText('events-chart-note', `per ${windowLabel(ws.events_per_minute)} window`);
    setText('revenue-chart-note', `per ${windowLabel(ws.revenue_per_5min)} window`);

    renderLag(s.lag.partitions);
    renderOpenWindow(s.open_window);
    renderPipeline(s);
    renderWindows();
  }

  // Everything computed from the windows of the period shown, so tiles, charts and table always agree.
  function renderWindows() {
    if (!charts.events) {
      return;
    }
    const p = period();
    const events = visible(windows.events, p);
    const revenue = visible(windows.revenue, p);
    const seconds = last ? last.window_seconds.events_per_minute : null;
    renderCharts(p, events, revenue);
    if (!p || !events.length) {
      setText('period', historyLoaded || last ? 'No closed window yet: figures appear when the first window '
        + 'closes (the newest window stays open until its end has passed).' : 'Loading the stored windows…');
    } else {
      setText('period', `Showing ${intFmt.format(events.length)} closed ${windowLabel(seconds)} windows, `
        + `${span(p.from, p.to)} (the last ${document.querySelector('.range [aria-pressed="true"]').textContent} `
        + 'up to the newest closed window).');
    }
    const sum = (field) => events.reduce((total, w) => total + w[field], 0);
    const label = p && events.length ? span(events[0].window_start, events[events.length - 1].window_end) : '';
    setText('events-period-label', label || 'in the period');
    setText('revenue-period-label', label || 'in the period');
    setText('funnel-note', label || 'in the period');
    setText('events-period', events.length ? int(sum('event_count')) : '–');
    setText('events-period-sub', events.length ? `in ${intFmt.format(events.length)} closed windows`
      : 'closed windows shown below');
    setText('revenue-period', events.length ? bigMoney(sum('total_revenue_cents')) : '–');
    $('revenue-period').title = events.length ? money(sum('total_revenue_cents')) : '';
    setText('purchases-period', events.length ? int(sum('purchases')) : '–');
    const views = sum('page_views');
    const carts = sum('add_to_carts');
    const purchases = sum('purchases');
    renderFunnel({
      page_views: events.length ? views : null,
      add_to_carts: events.length ? carts : null,
      purchases: events.length ? purchases : null,
      cart_rate: views ? carts / views : null,
      purchase_rate: carts ? purchases / carts : null,
    });
    const latest = events[events.length - 1];
    setText('latest-window', latest ? span(latest.window_start, latest.window_end) : 'none yet');
    setText('latest-events', latest ? int(latest.event_count) : '–');
    setText('latest-revenue', latest ? money(latest.total_revenue_cents) : '–');
    setText('users', latest ? int(latest.unique_users) : '–');
    renderTable(events);
    renderTops();
    updateCsv(events);
  }

  function renderTops() {
    // The pushed lists cover the last hour; other ranges use the lists read with their windows.
    const top = range === '1h' || !rangeTop ? (last ? last.top : null) : rangeTop;
    const note = top && known(top.from) ? `${span(top.from, top.to)}, exact` : '–';
    document.querySelectorAll('.top-note').forEach((n) => { n.textContent = note; });
    renderTop('top-products', top ? top.products : [], 'no products yet');
    renderTop('top-categories', top ? top.categories : [], 'no categories yet');
  }

  function renderFunnel(f) {
    const steps = [
      ['page_views', f.page_views, ''],
      ['add_to_carts', f.add_to_carts, known(f.cart_rate) ? `${pct(f.cart_rate)} of page views` : ''],
      ['purchases', f.purchases, known(f.purchase_rate) ? `${pct(f.purchase_rate)} of add-to-carts` : ''],
    ];
    const top = Math.max(1, f.page_views || 0);
    setText('conversion', f.page_views ? pct(f.purchases / f.page_views) : '–');
    for (const [step, count, rate] of steps) {
      const row = document.querySelector(`#funnel li[data-step="${step}"]`);
      row.querySelector('.count').textContent = int(count);
      row.querySelector('.rate').textContent = rate;
      row.querySelector('.fill').style.width = `${Math.min(100, ((count || 0) / top) * 100)}%`;
    }
  }

  function renderTop(id, items, emptyText) {
    const list = $(id);
    const rows = items.length ? items.map((item) => {
      const li = document.createElement('li');
      const wrap = document.createElement('span');
      wrap.className = 'item';
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = item.id;
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = int(item.count);
      wrap.append(name, count);
      li.append(wrap);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'empty', textContent: emptyText })];
    list.replaceChildren(...rows);
  }

  function renderLag(partitions) {
    const entries = Object.entries(partitions).sort((a, b) => Number(a[0]) - Number(b[0]));
    const max = Math.max(1, ...entries.map(([, lag]) => lag));
    const bars = entries.map(([partition, lag]) => {
      const bar = document.createElement('span');
      bar.className = 'lag-bar';
      bar.style.height = `${Math.max(4, (lag / max) * 100)}%`;
      bar.title = `partition ${partition}: ${intFmt.format(lag)}`;
      return bar;
    });
    $('lag-bars').replaceChildren(...bars);
  }

  function cell(field, text) {
    const td = document.createElement('td');
    td.dataset.field = field;
    td.textContent = text;
    return td;
  }

  function renderTable(events) {
    const rows = events.slice().reverse().map((w) => {
      const tr = document.createElement('tr');
      tr.dataset.windowStart = String(w.window_start);
      tr.append(
        cell('window', `${timeFmt.format(new Date(w.window_start))}–${timeFmt.format(new Date(w.window_end))}`),
        cell('event_count', int(w.event_count)),
        cell('unique_users', int(w.unique_users)),
        cell('page_views', int(w.page_views)),
        cell('add_to_carts', int(w.add_to_carts)),
        cell('purchases', int(w.purchases)),
        cell('total_revenue_cents', money(w.total_revenue_cents)),
        cell('partitions', int(w.partitions)),
      );
      return tr;
    });
    $('closed-windows').replaceChildren(...rows);
    const p = period();
    const table = $('windows');
    table.dataset.from = p ? String(p.from) : '';
    table.dataset.to = p ? String(p.to) : '';
  }

  function renderOpenWindow(open) {
    const body = $('open-window-row');
    if (!open) {
      body.replaceChildren();
      setText('open-events', '–');
      setText('open-sub', 'events stored so far; final when the window closes');
      return;
    }
    setText('open-events', int(open.events_stored));
    setText('open-sub', `${timeFmt.format(new Date(open.window_start))}–${timeFmt.format(new Date(open.window_end))}`
      + ` · ${money(open.revenue_cents)} so far; final when the window closes`);
    const tr = document.createElement('tr');
    tr.dataset.provisional = 'true';
    tr.append(
      cell('window', `${timeFmt.format(new Date(open.window_start))}– open, provisional`),
      cell('event_count', `${int(open.events_stored)} so far`),
      cell('unique_users', ''), cell('page_views', ''), cell('add_to_carts', ''),
      cell('purchases', int(open.purchases)),
      cell('total_revenue_cents', money(open.revenue_cents)),
      cell('partitions', ''),
    );
    body.replaceChildren(tr);
  }

  function renderPipeline(s) {
    const pipeline = s.pipeline || {};
    const lanes = pipeline.lanes;
    setText('lanes', lanes ? `${int(lanes.count)} ${lanes.count === 1 ? 'lane' : 'lanes'}` : '–');
    // Lanes are numbered as the log and the metrics number them (from 0, within their process); the consumer's
    // client id tells the process apart when several run the same lane numbers.
    const members = lanes ? lanes.members : [];
    const numbers = members.map((m, i) => (known(m.lane) ? m.lane : i));
    const shared = new Set(numbers).size < numbers.length;
    const owner = {};
    const laneItems = members.map((m, i) => {
      const name = shared ? `${numbers[i]} (${m.client_id})` : String(numbers[i]);
      m.partitions.forEach((p) => { owner[p] = name; });
      return Object.assign(document.createElement('li'), {
        textContent: `lane ${name}: partitions ${m.partitions.join(', ') || 'none'}`,
      });
    });
    $('lane-list').replaceChildren(...laneItems);
    setText('checkpoint-ms', known(pipeline.checkpoint_ms) ? `${dec(pipeline.checkpoint_ms)} ms` : '–');
    const checkpoints = pipeline.checkpoints || {};
    const partitions = new Set([...Object.keys(s.lag.partitions), ...Object.keys(checkpoints)]);
    const rows = [...partitions].sort((a, b) => Number(a) - Number(b)).map((p) => {
      const tr = document.createElement('tr');
      const cp = checkpoints[p];
      const age = cp ? Math.max(0, (s.generated_at - cp.updated_at) / 1000) : null;
      tr.append(
        cell('partition', p),
        cell('lag', int(s.lag.partitions[p])),
        cell('next_offset', cp ? int(cp.next_offset) : '–'),
        cell('checkpoint_age', known(age) ? `${dec(age)} s ago` : '–'),
        cell('lane', known(owner[p]) ? String(owner[p]) : '–'),
      );
      return tr;
    });
    document.querySelector('#partitions tbody').replaceChildren(...rows);
    const reasons = pipeline.dead_letter_reasons || [];
    const items = reasons.length ? reasons.map((r) => {
      const li = document.createElement('li');
      const wrap = document.createElement('span');
      wrap.className = 'item';
      const link = document.createElement('a');
      link.className = 'name';
      link.href = `api/dlq?reason=${encodeURIComponent(r.reason)}`;
      link.textContent = r.reason;
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = int(r.count);
      wrap.append(link, count);
      li.append(wrap);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'empty', textContent: 'none in the last hour' })];
    $('dlq-reasons').replaceChildren(...items);
  }

  let csvUrl = null;

  function updateCsv(events) {
    const link = $('csv');
    const header = ['window_start_iso', 'window_end_iso', 'window_start', 'window_end', 'event_count', 'unique_users',
      'page_views', 'add_to_carts', 'purchases', 'total_revenue_cents', 'partitions'];
    const lines = [header.join(',')].concat(events.map((w) => [new Date(w.window_start).toISOString(),
      new Date(w.window_end).toISOString(), w.window_start, w.window_end, w.event_count, w.unique_users, w.page_views,
      w.add_to_carts, w.purchases, w.total_revenue_cents, w.partitions].join(',')));
    link.dataset.rows = String(events.length);
    link.onclick = () => {
      if (csvUrl) {
        URL.revokeObjectURL(csvUrl);
      }
      csvUrl = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }));
      link.href = csvUrl;
      link.download = `windows-${range}.csv`;
    };
  }

  // The bridge client does not reconnect reliably, so a new one is made after each loss.

  let bus = null;
  let attempts = 0;
  let retryTimer = null;
  let lastMessageAt = 0;

  function setConnection(state, text) {
    const node = $('connection');
    node.dataset.state = state;
    setText('connection-text', text);
  }

  function connect() {
    retryTimer = null;
    setConnection('connecting', attempts ? 'reconnecting…' : 'connecting…');
    let eb;
    try {
      eb = new EventBus(new URL('eventbus', window.location.href).href);
    } catch (e) {
      retry();
      return;
    }
    bus = eb;
    eb.onopen = () => {
      if (bus !== eb) {
        return;
      }
      lastMessageAt = Date.now();
      eb.registerHandler(ADDRESS, (err, message) => {
        if (bus !== eb || err || !message) {
          return;
        }
        attempts = 0;
        lastMessageAt = Date.now();
        setConnection('live', 'live');
        render(message.body);
      });
      setConnection('connecting', 'connected, waiting for data…');
    };
    eb.onclose = () => {
      if (bus !== eb) {
        return;
      }
      bus = null;
      retry();
    };
    eb.onerror = (err) => console.warn('event bus:', err);
  }

  function retry() {
    attempts += 1;
    const delay = Math.round(Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempts - 1, 5)) * (0.75 + Math.random() / 2));
    setConnection('down', `server unreachable · retrying in ${decFmt.format(delay / 1000)} s`);
    if (!retryTimer) {
      retryTimer = setTimeout(connect, delay);
    }
  }

  // A connection that stays open but carries nothing (a half-open socket) is dropped and made anew.
  setInterval(() => {
    if (bus && bus.state === EventBus.OPEN && Date.now() - lastMessageAt > STALE_MS) {
      const stale = bus;
      bus = null;
      try {
        stale.close();
      } catch (e) {
        // already closing
      }
      retry();
    }
  }, 1000);

  document.querySelectorAll('.range button').forEach((b) => b.addEventListener('click',
    () => selectRange(b.dataset.range)));
  const asked = /^#range=(15m|1h|6h|24h)$/.exec(window.location.hash);
  if (asked) {
    range = asked[1];
    document.querySelectorAll('.range button').forEach((b) => b.setAttribute('aria-pressed',
      String(b.dataset.range === range)));
  }
  createCharts();
  new ResizeObserver(resizeCharts).observe(document.querySelector('.panels'));
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', createCharts);

  // The past from PostgreSQL, and the first figures without waiting for the first push.
  loadHistory();
  fetch('api/stats', { cache: 'no-store' })
    .then((response) => (response.ok ? response.json() : null))
    .then((stats) => stats && !last && render(stats))
    .catch(() => {});
  connect();
}());
