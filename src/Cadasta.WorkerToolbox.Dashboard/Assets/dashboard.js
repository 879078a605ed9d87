// Live updates for the Cadasta dashboard. Loaded from the dashboard itself (no CDN, no build step).
// Every value from the server is put on the page with textContent or as an encoded URL: never as markup.
(function () {
  'use strict';

  var body = document.body;
  var stream = body.getAttribute('data-live');
  if (!stream || typeof window.EventSource !== 'function') {
    return;
  }

  var after = Number(body.getAttribute('data-after') || '0');
  var insert = body.getAttribute('data-insert') === 'true';
  var status = document.getElementById('live-status');
  var maxRows = 200;

  function setStatus(text, css) {
    if (status) {
      status.textContent = text;
      status.className = 'live-status ' + css;
    }
  }

  function cell(text, css) {
    var td = document.createElement('td');
    if (css) {
      td.className = css;
    }
    td.textContent = text;
    return td;
  }

  function link(href, text, css) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    if (css) {
      a.className = css;
    }
    return a;
  }

  // The same row the server renders (TaskRows.Row).
  function row(task) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-id', String(task.id));
    tr.setAttribute('data-task-id', task.task_id);
    tr.className = 'fresh';
    tr.appendChild(cell(task.created, 'time'));
    var name = document.createElement('td');
    name.appendChild(link('/task?id=' + encodeURIComponent(task.task_id), task.name, 'task-name'));
    tr.appendChild(name);
    var state = document.createElement('td');
    var badge = document.createElement('span');
    badge.className = task.state_class;
    badge.textContent = task.state;
    state.appendChild(badge);
    tr.appendChild(state);
    tr.appendChild(cell(task.duration, 'duration'));
    tr.appendChild(cell(task.creator, 'creator'));
    var family = document.createElement('td');
    family.appendChild(link('/family?root=' + encodeURIComponent(task.root_id), task.root_short, 'family-link'));
    tr.appendChild(family);
    return tr;
  }

  function findRow(table, taskId) {
    var rows = table.querySelectorAll('tr[data-task-id]');
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('data-task-id') === taskId) {
        return rows[i];
      }
    }
    return null;
  }

  function applyCounts(update) {
    var counters = document.querySelectorAll('[data-count]');
    for (var i = 0; i < counters.length; i++) {
      var key = counters[i].getAttribute('data-count');
      var value = key === 'TOTAL' ? update.total : (update.counts[key] || 0);
      counters[i].textContent = String(value);
    }
  }

  function applyRows(update) {
    var tables = document.querySelectorAll('tbody[data-live-rows]');
    for (var t = 0; t < tables.length; t++) {
      var tbody = tables[t];
      if (insert) {
        for (var r = 0; r < update.rows.length; r++) {
          if (!findRow(tbody, update.rows[r].task_id)) {
            tbody.insertBefore(row(update.rows[r]), tbody.firstChild);
          }
        }
        var limit = tbody.closest('table').id === 'latest-tasks' ? 10 : maxRows;
        while (tbody.children.length > limit) {
          tbody.removeChild(tbody.lastChild);
        }
      }
      for (var s = 0; s < update.states.length; s++) {
        var known = findRow(tbody, update.states[s].task_id);
        if (known) {
          var badge = known.querySelector('span.state');
          if (badge && badge.textContent !== update.states[s].state) {
            badge.textContent = update.states[s].state;
            badge.className = update.states[s].state_class;
          }
          var duration = known.querySelector('td.duration');
          if (duration) {
            duration.textContent = update.states[s].duration;
          }
        }
      }
    }
    if (!insert && update.rows.length > 0) {
      var notice = document.getElementById('new-tasks');
      if (notice) {
        notice.hidden = false;
      }
    }
  }

  var source = new window.EventSource(stream + '?after=' + encodeURIComponent(String(after)));
  source.addEventListener('open', function () {
    setStatus('live', 'on');
  });
  source.addEventListener('error', function () {
    setStatus('reconnecting…', 'off');
  });
  source.addEventListener('update', function (event) {
    var update = JSON.parse(event.data);
    after = Math.max(after, Number(update.last_id) || 0);
    applyCounts(update);
    applyRows(update);
    setStatus('live', 'on');
  });
  window.addEventListener('pagehide', function () {
    source.close();
  });
})();
