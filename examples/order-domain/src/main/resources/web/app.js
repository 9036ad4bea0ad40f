// The Order example's page: plain JavaScript, no build step. Commands go over HTTP; the list, the
// order's status and the saga's steps follow the WebSocket notifications (reconnecting with the last
// version seen, so nothing is missed).
'use strict';

const state = { orderId: null, lastVersion: 0, socket: null, retry: 500, clientId: 'page-' + Math.random().toString(36).slice(2, 10) };
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    throw new Error((json.error || response.status) + ': ' + (json.message || ''));
  }
  return json;
}

function say(text) {
  $('message').textContent = text || '';
}

async function run(action) {
  try {
    say('');
    await action();
  } catch (e) {
    say(e.message);
  }
}

async function refreshList() {
  const list = await api('GET', '/orders?size=100');
  $('order-count').textContent = list.count;
  const rows = $('orders');
  rows.replaceChildren(...list.orders.map((o) => {
    const tr = document.createElement('tr');
    tr.dataset.orderId = o.orderId;
    for (const value of [o.orderId, o.customerId, o.status, o.lineCount, o.totalCents, o.version]) {
      const td = document.createElement('td');
      td.textContent = value;
      tr.appendChild(td);
    }
    tr.addEventListener('click', () => select(o.orderId));
    return tr;
  }));
}

async function refreshOrder() {
  if (!state.orderId) {
    return;
  }
  const order = await api('GET', '/orders/' + encodeURIComponent(state.orderId));
  $('order-status').textContent = order.status;
  $('order-version').textContent = order.version;
  $('order-total').textContent = order.totalCents;
  $('order-lines').textContent = order.lineCount;
  const fulfilment = await api('GET', '/orders/' + encodeURIComponent(state.orderId) + '/fulfilment');
  $('saga-state').textContent = fulfilment.state;
  $('payment-state').textContent = fulfilment.payment;
  $('cancel-reason').textContent = fulfilment.cancellationReason || '';
  const steps = $('saga-steps');
  const done = new Set(fulfilment.completedSteps || []);
  const compensated = new Set(fulfilment.compensatedSteps || []);
  steps.replaceChildren(...(fulfilment.history || []).map((h) => {
    const li = document.createElement('li');
    li.textContent = h.type.replace('nexus.saga.', '') + (h.step ? ' ' + h.step : '') + (h.detail ? ': ' + h.detail : '');
    if (h.step && compensated.has(h.step)) li.className = 'compensated';
    else if (h.step && done.has(h.step)) li.className = 'done';
    return li;
  }));
}

function select(orderId) {
  state.orderId = orderId;
  state.lastVersion = 0;
  $('current').hidden = false;
  $('order-id').textContent = orderId;
  subscribeOrder();
  return run(refreshOrder);
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(message));
  }
}

function subscribeOrder() {
  if (state.orderId) {
    send({ type: 'subscribe', orderId: state.orderId, lastVersion: state.lastVersion });
  }
}

function connect() {
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/notifications?clientId=' + state.clientId;
  const socket = new WebSocket(url);
  state.socket = socket;
  socket.onopen = () => {
    state.retry = 500;
    $('socket').textContent = 'live';
    send({ type: 'subscribe', list: true });
    subscribeOrder();
    run(refreshList);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== 'notification') {
      return;
    }
    run(refreshList);
    const sagaOfOrder = state.orderId && message.aggregateId.endsWith('-' + state.orderId);
    if (message.aggregateId === state.orderId) {
      state.lastVersion = Math.max(state.lastVersion, message.version);
    }
    if (message.aggregateId === state.orderId || sagaOfOrder) {
      run(refreshOrder);
    }
  };
  socket.onclose = () => {
    $('socket').textContent = 'reconnecting…';
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 10000);
  };
}

// The saga's steps change without an order notification (reservation, payment): poll them while one runs.
setInterval(() => {
  const sagaState = $('saga-state').textContent;
  if (state.orderId && (sagaState === 'RUNNING' || sagaState === 'COMPENSATING' || sagaState === 'STARTING')) {
    run(refreshOrder);
  }
}, 1000);

$('place-form').addEventListener('submit', (e) => {
  e.preventDefault();
  run(async () => {
    const placed = await api('POST', '/orders', { customerId: $('customer').value });
    await select(placed.orderId);
  });
});
$('line-form').addEventListener('submit', (e) => {
  e.preventDefault();
  run(() => api('POST', '/orders/' + encodeURIComponent(state.orderId) + '/lines', {
    sku: $('sku').value, quantity: Number($('quantity').value), unitPriceCents: Number($('price').value),
  }).then(refreshOrder));
});
$('confirm').addEventListener('click', () => run(() => api('POST', '/orders/' + encodeURIComponent(state.orderId) + '/confirm').then(refreshOrder)));
$('cancel').addEventListener('click', () => run(() => api('POST', '/orders/' + encodeURIComponent(state.orderId) + '/cancel').then(refreshOrder)));
$('pay').addEventListener('click', () => run(() => api('POST', '/orders/' + encodeURIComponent(state.orderId) + '/payment', { outcome: 'charged' }).then(refreshOrder)));
$('decline').addEventListener('click', () => run(() => api('POST', '/orders/' + encodeURIComponent(state.orderId) + '/payment',
  { outcome: 'declined', reason: 'card declined at the page' }).then(refreshOrder)));

connect();
