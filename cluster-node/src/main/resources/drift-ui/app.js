// Drift's dashboard: polls this node's management HTTP every second for every node's load and
// every job of the cluster, and shows a move when a job's host changes between two polls.
'use strict';

const POLL_MS = 1000;
const lastHost = new Map();      // job id -> host at the last poll
const movedAt = new Map();       // job id -> time its row last showed a move
let nodeNames = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

function say(text, error) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.status);
  return body;
}

async function post(path, what) {
  say(what + '...');
  try {
    const r = await fetch(path, { method: 'POST' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      say(what + ': ' + (body.error || body.message || r.status), true);
    } else {
      say(what + ': done');
    }
  } catch (e) {
    say(what + ': ' + e.message, true);
  }
  poll();
}

function mib(bytes) { return Math.round(bytes / 1048576); }

function renderNodes(view) {
  const box = document.getElementById('nodes');
  box.replaceChildren();
  nodeNames = view.nodes.map(n => n.node);
  for (const n of view.nodes) {
    const load = n.load;
    const width = Math.min(load, 1.5) / 1.5 * 100;
    const bar = el('div', { class: 'bar', title: 'load ' + load.toFixed(2) },
      el('div', { class: 'fill' + (load > 1 ? ' over' : '') }), el('div', { class: 'mark' }));
    bar.firstChild.style.width = width + '%';
    const flags = [];
    if (!n.acceptingGuests) flags.push('takes no guests');
    if (n.status !== 'Up') flags.push(n.status);
    const drain = el('button', { textContent: 'drain', title: 'move every unit away, then leave' });
    drain.onclick = () => {
      if (confirm('Drain ' + n.node + '? Its units move away and it leaves the cluster.')) {
        post('/drift/nodes/' + n.node + '/ctl/drain?within=120s', 'drain ' + n.node);
      }
    };
    box.append(el('div', { class: 'node' + (n.acceptingGuests ? '' : ' blocked'), 'data-node': n.node },
      el('span', { class: 'name' }, n.node + (n.node === view.self ? ' (this node)' : '')),
      bar,
      el('span', {}, `load ${load.toFixed(2)} · ${n.runnable} units on ${n.slots} slots · speed ${n.speed}`
        + ` · memory ${mib(n.totalMemoryBytes - n.freeMemoryBytes)}/${mib(n.totalMemoryBytes)} MiB`
        + ` · ${n.guests} guests`, el('span', { class: 'flags' }, flags.length ? ' · ' + flags.join(', ') : '')),
      drain));
  }
}

function renderJobs(list) {
  const body = document.querySelector('#jobs tbody');
  body.replaceChildren();
  const now = Date.now();
  const events = document.getElementById('events');
  for (const j of list.jobs) {
    const before = lastHost.get(j.id);
    if (before && j.host && before !== j.host) {
      movedAt.set(j.id, now);
      events.prepend(el('li', { 'data-job': j.id },
        `${new Date().toLocaleTimeString()} job ${j.id} (${j.name}): ${before} → ${j.host}`));
      while (events.children.length > 200) events.lastChild.remove();
    }
    if (j.host) lastHost.set(j.id, j.host);
    const running = j.state === 'RUNNING';
    const select = el('select', { disabled: !running });
    for (const n of ['home', ...nodeNames.filter(n => n !== j.host)]) {
      select.append(el('option', { value: n }, n));
    }
    const go = el('button', { textContent: 'move', disabled: !running });
    go.onclick = () => post(`/drift/jobs/${j.id}/migrate?to=${encodeURIComponent(select.value)}`
      + `&home=${encodeURIComponent(j.home)}`, `move ${j.id} to ${select.value}`);
    const progress = el('div', { class: 'progress' }, el('div'));
    progress.firstChild.style.width = Math.round(j.progress * 100) + '%';
    const row = el('tr', { 'data-job': j.id, class: now - (movedAt.get(j.id) || 0) < 3000 ? 'moved' : '' },
      el('td', { class: 'id' }, j.id), el('td', {}, j.name), el('td', { class: 'host' }, j.home),
      el('td', { class: 'host where' }, j.host || '-'), el('td', { class: 'state' }, j.state),
      el('td', {}, j.migrations), el('td', {}, progress),
      el('td', {}, (j.cpuNanos / 1e9).toFixed(1) + ' s'), el('td', {}, select, go));
    body.append(row);
  }
}

async function poll() {
  try {
    const [nodes, jobs] = await Promise.all([getJson('/drift/nodes'), getJson('/drift/jobs?all=true')]);
    document.getElementById('served').textContent = 'served by ' + nodes.self;
    renderNodes(nodes);
    renderJobs(jobs);
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    say('cannot read the cluster: ' + e.message, true);
  }
}

poll();
setInterval(poll, POLL_MS);
