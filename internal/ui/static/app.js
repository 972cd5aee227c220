// tripline's web UI script. It is the only script the pages load (the
// Content-Security-Policy allows no other and no inline script), and it
// writes text to the page with textContent alone: nothing it shows is
// ever parsed as HTML.
'use strict';

(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrf = meta ? meta.getAttribute('content') : '';

  // postJSON sends a state change as the server wants it: a POST with a
  // JSON body and the CSRF token.
  async function postJSON(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    return answer(res);
  }

  async function getJSON(url) {
    return answer(await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }));
  }

  async function answer(res) {
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (!res.ok) {
      throw new Error((data && data.error) || (res.status + ' ' + res.statusText));
    }
    return data;
  }

  function say(el, text, bad) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle('bad', !!bad);
  }

  function el(tag, text) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Who acts is remembered in this browser, so it is typed once.
  const byKey = 'tripline.by';
  function rememberBy(form) {
    const by = form.elements.namedItem('by');
    if (!by) return;
    try { if (!by.value) by.value = localStorage.getItem(byKey) || ''; } catch (e) { /* storage off */ }
    by.addEventListener('change', () => { try { localStorage.setItem(byKey, by.value); } catch (e) { /* storage off */ } });
  }

  // statusForm sends a status change for the alerts ids() names.
  function statusForm(form, ids) {
    rememberBy(form);
    const msg = form.querySelector('.msg');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const status = ev.submitter ? ev.submitter.value : 'acknowledged';
      const list = ids();
      if (list.length === 0) { say(msg, 'Select alerts first.', true); return; }
      const by = form.elements.namedItem('by').value.trim();
      if (!by) { say(msg, 'Say who you are.', true); return; }
      const note = form.elements.namedItem('note').value;
      say(msg, 'Saving…');
      try {
        const res = await postJSON('/api/v1/alerts/status', { ids: list, status: status, by: by, note: note });
        say(msg, res.changed + ' alert(s) ' + res.status + '.');
        location.reload();
      } catch (e) {
        say(msg, e.message, true);
      }
    });
  }

  const bulk = document.getElementById('bulk');
  if (bulk) {
    const picks = () => Array.from(document.querySelectorAll('input.pick'));
    const all = document.getElementById('pick-all');
    if (all) all.addEventListener('change', () => picks().forEach((p) => { p.checked = all.checked; }));
    statusForm(bulk, () => picks().filter((p) => p.checked).map((p) => p.value));
  }

  const one = document.getElementById('status-form');
  if (one) statusForm(one, () => [one.dataset.id]);

  // Drilldowns run in place: their rows become a table.
  document.querySelectorAll('button.drill').forEach((b) => {
    b.addEventListener('click', async () => {
      const out = document.getElementById('drill-' + b.dataset.n);
      out.replaceChildren(el('p', 'Running…'));
      b.disabled = true;
      try {
        const res = await getJSON('/api/v1/alerts/' + encodeURIComponent(b.dataset.id) + '/drilldowns/' + encodeURIComponent(b.dataset.n));
        const table = el('table');
        table.className = 'drill-rows';
        const head = el('tr');
        res.columns.forEach((c) => head.appendChild(el('th', c)));
        table.appendChild(el('thead')).appendChild(head);
        const body = table.appendChild(el('tbody'));
        res.rows.forEach((row) => {
          const tr = el('tr');
          res.columns.forEach((c) => {
            const v = row[c];
            tr.appendChild(el('td', v === undefined || v === null ? '' : (typeof v === 'object' ? JSON.stringify(v) : String(v))));
          });
          body.appendChild(tr);
        });
        out.replaceChildren(el('p', res.rows.length + ' row(s)'), table);
      } catch (e) {
        const p = el('p', e.message);
        p.className = 'error';
        out.replaceChildren(p);
      } finally {
        b.disabled = false;
      }
    });
  });

  // An exception from the alert: a value of the alert prefills the field
  // and value, which may be edited (a wildcard, another value).
  const exc = document.getElementById('exception-form');
  if (exc) {
    rememberBy(exc);
    const msg = exc.querySelector('.msg');
    const pick = exc.elements.namedItem('pick');
    // Values travel percent-encoded, so that control characters from logs
    // never sit in the page as they are.
    const decode = (s) => { try { return decodeURIComponent(s); } catch (e) { return s; } };
    const fill = () => {
      const o = pick.selectedOptions[0];
      if (!o) return;
      exc.elements.namedItem('field').value = decode(o.dataset.name);
      exc.elements.namedItem('value').value = decode(o.dataset.value);
    };
    pick.addEventListener('change', fill);
    fill();
    exc.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = (name) => exc.elements.namedItem(name).value;
      const scope = exc.querySelector('input[name=scope]:checked');
      const body = {
        rule: scope && scope.value === 'all' ? '*' : exc.dataset.rule,
        field: f('field').trim(),
        values: [f('value')],
        match: f('match'),
        reason: f('reason').trim(),
        author: f('by').trim(),
        expires: f('expires').trim(),
        note: 'added from alert ' + exc.dataset.alert,
      };
      if (!body.author) { say(msg, 'Say who you are.', true); return; }
      say(msg, 'Saving…');
      try {
        const res = await postJSON('/api/v1/exceptions', body);
        say(msg, 'Exception ' + res.id + ' added.');
        location.reload();
      } catch (e) {
        say(msg, e.message, true);
      }
    });
  }

  document.querySelectorAll('form.exception-remove').forEach((form) => {
    rememberBy(form);
    const msg = form.querySelector('.msg');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const by = form.elements.namedItem('by').value.trim();
      const why = form.elements.namedItem('why').value.trim();
      say(msg, 'Removing…');
      try {
        await postJSON('/api/v1/exceptions/' + encodeURIComponent(form.dataset.id) + '/remove', { by: by, why: why });
        location.reload();
      } catch (e) {
        say(msg, e.message, true);
      }
    });
  });

  const login = document.getElementById('login');
  if (login) {
    const msg = login.querySelector('.msg');
    login.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      say(msg, 'Checking…');
      try {
        await postJSON('/api/v1/session', { token: login.elements.namedItem('token').value });
        const next = login.dataset.next || '/';
        // Only a path on this server (the server checked it too).
        location.assign(next.startsWith('/') && !next.startsWith('//') ? next : '/');
      } catch (e) {
        say(msg, e.message, true);
      }
    });
  }

  const logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', async () => {
      try { await postJSON('/api/v1/session/end', {}); } finally { location.assign('/login'); }
    });
  }
})();
