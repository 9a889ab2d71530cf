// Live dashboard: listens to dashboard.stats on the SockJS event-bus bridge (one snapshot a second, the same
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
  const compactMoney2 = new Intl.NumberFormat('en-US', {
    style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 2,
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
  // Large sums in a tile: whole dollars up to $100,000, then "$6.43M".
  const bigMoney = (cents) => {
    if (!known(cents)) {
      return '–';
    }
    return cents < 10000000 ? wholeMoney.format(cents / 100) : compactMoney2.format(cents / 100);
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



  let last = null;
  const charts = {};

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
      width: node.clientWidth,
      height: chartHeight(),
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
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
    const halfStep = () => ((last && last.window_seconds.revenue_per_5min) || 300) / 2;
    return new uPlot({
      width: node.clientWidth,
      height: chartHeight(),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (u, min, max) => [min - halfStep(), max + halfStep()] },
        y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
      },
      series: [
        {},
        {
          label: 'Revenue',
          stroke: c.revenue,
          fill: withAlpha(c.revenue, 0.55),
          width: 1,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [0.7, 80] }),
          value: (u, v) => (known(v) ? moneyFmt.format(v) : '–'),
        },
      ],
      axes: axes(c, (u, splits) => splits.map((v) => compactMoney.format(v))),
    }, [[], []], node);
  }

  function createCharts() {
    const c = palette();
    Object.values(charts).forEach((chart) => chart.destroy());
    charts.events = eventsChart($('events-chart'), c);
    charts.revenue = revenueChart($('revenue-chart'), c);
    if (last) {
      renderCharts(last);
    }
  }

  function renderCharts(s) {
    const events = s.series.events_per_minute;
    const x = events.map((w) => w.window_start / 1000);
    charts.events.setData([
      x,
      events.map((w) => w.event_count),
      events.map((w) => w.page_views),
      events.map((w) => w.add_to_carts),
      events.map((w) => w.purchases),
      events.map((w) => Math.max(0, w.event_count - w.page_views - w.add_to_carts - w.purchases)),
    ]);
    mark($('events-chart'), events.length, Math.max(0, ...events.map((w) => w.event_count)));

    const revenue = s.series.revenue_per_5min;
    charts.revenue.setData([
      revenue.map((w) => w.window_start / 1000),
      revenue.map((w) => w.total_revenue_cents / 100),
    ]);
    mark($('revenue-chart'), revenue.length, Math.max(0, ...revenue.map((w) => w.total_revenue_cents)));
  }

  // What a chart shows, readable without looking at the canvas (for people using assistive tech and tests).
  function mark(node, points, max) {
    node.dataset.points = String(points);
    node.dataset.max = String(max);
    node.setAttribute('aria-label', `${points} windows, highest ${intFmt.format(max)}`);
  }

  function resizeCharts() {
    for (const [name, chart] of Object.entries(charts)) {
      const node = $(`${name}-chart`);
      chart.setSize({ width: node.clientWidth, height: chartHeight() });
    }
  }



  function render(s) {
    last = s;
    const ws = s.window_seconds;
    const rates = s.rates;
    const hour = s.totals.last_hour;

    setText('throughput', dec(rates.events_processed_per_second));
    setText('arriving', dec(rates.events_in_per_second));
    setText('users', int(s.unique_users.events_per_minute));
    setText('users-window', `${windowLabel(ws.events_per_minute)} window`);
    setText('users-revenue', int(s.unique_users.revenue_per_5min));
    setText('users-revenue-window', `${windowLabel(ws.revenue_per_5min)} window`);
    setText('stored', int(s.totals.events_stored));
    setText('events-hour', int(hour.events));
    setText('revenue-hour', bigMoney(hour.revenue_cents));
    $('revenue-hour').title = money(hour.revenue_cents);
    setText('purchases-hour', int(hour.purchases));
    setText('dlq', int(s.totals.dead_letters));
    setText('dlq-rate', dec(rates.dead_letters_per_minute));
    setText('dlq-ratio', pct(rates.dead_letter_ratio));
    setText('late', dec(rates.late_events_per_minute));
    setText('late-sub', known(rates.late_events_per_minute)
      ? 'per minute, stored but after their window closed'
      : 'counted by the pipeline process (see Prometheus)');
    setText('lag', int(s.lag.total));
    setText('events-chart-note', `per ${windowLabel(ws.events_per_minute)} window`);
    setText('revenue-chart-note', `per ${windowLabel(ws.revenue_per_5min)} window`);
    setText('updated', `updated ${timeFmt.format(new Date(s.generated_at))}`);

    renderCharts(s);
    renderFunnel(s.funnel);
    renderTop('top-products', s.top.products, 'no products yet');
    renderTop('top-categories', s.top.categories, 'no categories yet');
    renderLag(s.lag.partitions);
    renderWindows(s.series.events_per_minute);
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

  function renderWindows(windows) {
    const rows = windows.slice(-TABLE_ROWS).reverse().map((w) => {
      const tr = document.createElement('tr');
      tr.dataset.windowStart = String(w.window_start);
      const cell = (field, text) => {
        const td = document.createElement('td');
        td.dataset.field = field;
        td.textContent = text;
        return td;
      };
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
    document.querySelector('#windows tbody').replaceChildren(...rows);
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

  createCharts();
  new ResizeObserver(resizeCharts).observe(document.querySelector('.panels'));
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', createCharts);

  // The first figures without waiting for the first push.
  fetch('api/stats', { cache: 'no-store' })
    .then((response) => (response.ok ? response.json() : null))
    .then((stats) => stats && !last && render(stats))
    .catch(() => {});
  connect();
}());
