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

// The management token, for the buttons: given once as /ui/#token=..., or asked for when a
// button is refused; kept for this tab only (sessionStorage) and never put back in the URL.
const TOKEN_KEY = 'drift-token';
(function takeTokenFromUrl() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
})();

function postWithToken(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  return fetch(path, { method: 'POST', headers });
}

async function post(path, what) {
  say(what + '...');
  try {
    let r = await postWithToken(path);
    if (r.status === 401 || r.status === 403) {
      const token = prompt(r.status === 401 ? 'This needs the management token:'
          : 'The token was refused. Management token:');
      if (token) {
        sessionStorage.setItem(TOKEN_KEY, token.trim());
        r = await postWithToken(path);
      }
    }
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

// Rows and node lines are kept and updated in place between polls, so a choice being made in
// a row (a target picked, a button about to be pressed) is not wiped by the next poll.
const nodeLines = new Map(); // node -> { line, fill, text, flags }
const jobRows = new Map();   // job id -> { row, cells, select, go }

function renderNodes(view) {
  const box = document.getElementById('nodes');
  nodeNames = view.nodes.map(n => n.node);
  for (const [name, l] of nodeLines) {
    if (!nodeNames.includes(name)) { l.line.remove(); nodeLines.delete(name); }
  }
  for (const n of view.nodes) {
    let l = nodeLines.get(n.node);
    if (!l) {
      const fill = el('div', { class: 'fill' });
      const text = el('span');
      const drain = el('button', { textContent: 'drain', title: 'move every unit away, then leave' });
      drain.onclick = () => {
        if (confirm('Drain ' + n.node + '? Its units move away and it leaves the cluster.')) {
          post('/drift/nodes/' + n.node + '/ctl/drain?within=120s', 'drain ' + n.node);
        }
      };
      const line = el('div', { class: 'node', 'data-node': n.node },
        el('span', { class: 'name' }, n.node + (n.node === view.self ? ' (this node)' : '')),
        el('div', { class: 'bar' }, fill, el('div', { class: 'mark' })), text, drain);
      l = { line, fill, text };
      nodeLines.set(n.node, l);
    }
    const load = n.load;
    l.fill.style.width = (Math.min(load, 1.5) / 1.5 * 100) + '%';
    l.fill.className = 'fill' + (load > 1 ? ' over' : '');
    l.line.title = 'load ' + load.toFixed(2);
    l.line.className = 'node' + (n.acceptingGuests ? '' : ' blocked');
    const flags = [];
    if (!n.acceptingGuests) flags.push('takes no guests');
    if (n.status !== 'Up') flags.push(n.status);
    l.text.replaceChildren(`load ${load.toFixed(2)} · ${n.runnable} units on ${n.slots} slots · speed ${n.speed}`
      + ` · memory ${mib(n.totalMemoryBytes - n.freeMemoryBytes)}/${mib(n.totalMemoryBytes)} MiB`
      + ` · ${n.guests} guests`, el('span', { class: 'flags' }, flags.length ? ' · ' + flags.join(', ') : ''));
  }
  // in the order of the list, without moving lines that are in place
  nodeNames.forEach((name, i) => {
    const line = nodeLines.get(name).line;
    if (box.children[i] !== line) box.insertBefore(line, box.children[i] || null);
  });
}

function targetsFor(host) {
  return ['home', ...nodeNames.filter(n => n !== host)];
}

function renderJobs(list) {
  const body = document.querySelector('#jobs tbody');
  const now = Date.now();
  const events = document.getElementById('events');
  const seen = new Set();
  list.jobs.forEach((j, i) => {
    seen.add(j.id);
    const before = lastHost.get(j.id);
    if (before && j.host && before !== j.host) {
      movedAt.set(j.id, now);
      events.prepend(el('li', { 'data-job': j.id },
        `${new Date().toLocaleTimeString()} job ${j.id} (${j.name}): ${before} → ${j.host}`));
      while (events.children.length > 200) events.lastChild.remove();
    }
    if (j.host) lastHost.set(j.id, j.host);
    let r = jobRows.get(j.id);
    if (!r) {
      const cells = {
        id: el('td', { class: 'id' }, j.id), name: el('td', {}, j.name),
        home: el('td', { class: 'host' }, j.home), where: el('td', { class: 'host where' }),
        state: el('td', { class: 'state' }), moves: el('td'), progress: el('td'), cpu: el('td'),
      };
      const bar = el('div', { class: 'progress' }, el('div'));
      cells.progress.append(bar);
      const select = el('select');
      const go = el('button', { textContent: 'move' });
      go.onclick = () => post(`/drift/jobs/${j.id}/migrate?to=${encodeURIComponent(select.value)}`
        + `&home=${encodeURIComponent(j.home)}`, `move ${j.id} to ${select.value}`);
      const row = el('tr', { 'data-job': j.id }, cells.id, cells.name, cells.home, cells.where,
        cells.state, cells.moves, cells.progress, cells.cpu, el('td', {}, select, go));
      r = { row, cells, bar, select, go, targets: '' };
      jobRows.set(j.id, r);
    }
    r.cells.where.textContent = j.host || '-';
    r.cells.state.textContent = j.state;
    r.cells.moves.textContent = j.migrations;
    r.cells.cpu.textContent = (j.cpuNanos / 1e9).toFixed(1) + ' s';
    r.bar.firstChild.style.width = Math.round(j.progress * 100) + '%';
    const running = j.state === 'RUNNING';
    r.select.disabled = !running;
    r.go.disabled = !running;
    const targets = targetsFor(j.host);
    if (targets.join(' ') !== r.targets) { // rebuilt only when the choices change
      const chosen = r.select.value;
      r.select.replaceChildren(...targets.map(n => el('option', { value: n }, n)));
      if (targets.includes(chosen)) r.select.value = chosen;
      r.targets = targets.join(' ');
    }
    r.row.className = now - (movedAt.get(j.id) || 0) < 3000 ? 'moved' : '';
    if (body.children[i] !== r.row) body.insertBefore(r.row, body.children[i] || null);
  });
  for (const [id, r] of jobRows) {
    if (!seen.has(id)) { r.row.remove(); jobRows.delete(id); }
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
