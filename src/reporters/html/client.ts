// The report's one script (inline; its sha256 is in the Content-Security-Policy). It reads the
// findings from the JSON data element and shows one page of rows at a time: every value is put in
// with textContent or setAttribute, never parsed as HTML. Filtering walks the current sort order
// once (a typed array of row numbers), so it costs one pass over the rows; sorting happens only
// when a column header is clicked. Plain ES2017, no template literals (this is a TS template).
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cc-data').textContent);
  var S = data.strings;
  var RISKS = data.risks;
  var CHANGES = data.changeLabels;
  // Row layout (see rows() in index.ts).
  var VERDICT = 0, SUPPRESSED = 1, RISK = 2, RULE = 3, TYPE = 4, LABEL = 5, ID = 6, WHERE = 7,
    ACCOUNT = 8, REGION = 9, REPOSITORY = 10, MESSAGE = 11, NOTE = 12, CHANGE = 13, LINE = 14;
  var PAGE = 100;
  var allRows = [].concat(data.tables.findings, data.tables.changes);

  function str(i) { return i < 0 ? '' : S[i]; }
  // Worst first: failing, unknown, suppressed, passing, gone (resolved: no longer found).
  function rank(r) { return r[VERDICT] === 3 ? 4 : r[SUPPRESSED] ? 2 : r[VERDICT] === 1 ? 0 : r[VERDICT] === 2 ? 1 : 3; }
  function verdictText(r) {
    if (r[VERDICT] === 3) return 'Gone (no longer found)';
    var v = r[VERDICT] === 1 ? 'Fail' : r[VERDICT] === 2 ? 'Unknown' : 'Pass';
    return r[SUPPRESSED] ? v + ' (suppressed)' : v;
  }
  function verdictClass(r) {
    return r[VERDICT] === 3 ? 'v-pass' : r[SUPPRESSED] ? 'v-suppressed' : r[VERDICT] === 1 ? 'v-fail' : r[VERDICT] === 2 ? 'v-unknown' : 'v-pass';
  }
  // Code-unit order, as the tool's own reports (not the locale's).
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  // A column's strings in code-unit order, computed on its first sort: sorting rows then compares
  // numbers, and the strings are sorted by the engine's own comparison (code units), not a JS
  // callback (a 50,000-row sort by resource: ~240 ms with a string callback, ~60 ms this way).
  var places = {};
  function placesOf(col) {
    if (places[col]) return places[col];
    var texts = [];
    var seen = new Uint8Array(S.length);
    for (var i = 0; i < allRows.length; i++) {
      var id = allRows[i][col];
      if (id >= 0 && !seen[id]) { seen[id] = 1; texts.push(S[id]); }
    }
    texts.sort();
    var rankOf = new Map();
    for (var k = 0; k < texts.length; k++) rankOf.set(texts[k], k);
    var out = new Int32Array(S.length).fill(-1);
    for (var j = 0; j < S.length; j++) if (seen[j]) out[j] = rankOf.get(S[j]);
    return (places[col] = out);
  }
  function place(col) { return function (r) { return r[col] < 0 ? -1 : placesOf(col)[r[col]]; }; }

  var SORT_KEYS = {
    verdict: function (r) { return rank(r); },
    risk: function (r) { return -r[RISK]; },
    rule: place(RULE),
    resource: place(LABEL),
    where: place(WHERE),
    message: place(MESSAGE),
    // In the order the report lists the kinds (new first).
    change: function (r) { return r[CHANGE]; }
  };

  function cell(tr, text, cls, sub) {
    var td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    if (sub) {
      var span = document.createElement('span');
      span.className = 'sub';
      span.textContent = sub;
      td.appendChild(span);
    }
    tr.appendChild(td);
  }

  var RENDER = {
    verdict: function (tr, r) { cell(tr, verdictText(r), verdictClass(r)); },
    risk: function (tr, r) { cell(tr, RISKS[r[RISK]]); },
    rule: function (tr, r) { cell(tr, str(r[RULE])); },
    resource: function (tr, r) {
      var label = str(r[LABEL]), id = str(r[ID]);
      cell(tr, label, '', (id !== label ? id + ' · ' : '') + str(r[TYPE]));
    },
    where: function (tr, r) { cell(tr, str(r[WHERE])); },
    message: function (tr, r) { cell(tr, str(r[MESSAGE]), '', str(r[NOTE])); },
    change: function (tr, r) { cell(tr, r[CHANGE] < 0 ? '' : CHANGES[r[CHANGE]]); }
  };

  function setup(section) {
    var rows = data.tables[section.getAttribute('data-table')];
    var columns = section.getAttribute('data-columns').split(',');
    var tbody = section.querySelector('tbody');
    var status = section.querySelector('.status');
    var pageText = section.querySelector('.page-text');
    var buttons = {};
    Array.prototype.forEach.call(section.querySelectorAll('.pager button'), function (b) { buttons[b.getAttribute('data-page')] = b; });
    var controls = {};
    Array.prototype.forEach.call(section.querySelectorAll('[data-filter]'), function (c) { controls[c.getAttribute('data-filter')] = c; });
    var order = new Int32Array(rows.length);
    for (var i = 0; i < rows.length; i++) order[i] = i;
    var shown = new Int32Array(rows.length);
    var shownCount = 0;
    var page = 0;
    var haystack = null;
    var sortColumn = null, sortDirection = 1;

    function sortBy(column, direction) {
      var key = SORT_KEYS[column];
      var keys = new Int32Array(rows.length);
      for (var i = 0; i < rows.length; i++) keys[i] = key(rows[i]);
      // Ties keep the report's order (file, line, rule, resource), whichever the direction.
      order.sort(function (a, b) { return direction * (keys[a] - keys[b]) || a - b; });
      sortColumn = column;
      sortDirection = direction;
      Array.prototype.forEach.call(section.querySelectorAll('th[data-sort]'), function (th) {
        var col = th.getAttribute('data-sort');
        if (col === column) th.setAttribute('aria-sort', direction === 1 ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      });
    }

    // The text a search looks in, one lower-cased string per row: built once (about 60 ms for
    // 50,000 rows), just after the page is shown, so the first search is as fast as the next.
    function buildHaystack() {
      if (haystack) return;
      haystack = new Array(rows.length);
      for (var h = 0; h < rows.length; h++) {
        var r0 = rows[h];
        haystack[h] = [str(r0[RULE]), str(r0[LABEL]), str(r0[ID]), str(r0[TYPE]), str(r0[WHERE]), str(r0[MESSAGE]), str(r0[NOTE])].join('\n').toLowerCase();
      }
    }

    function value(name) { var c = controls[name]; return c ? c.value : ''; }

    function filter() {
      var started = performance.now();
      var verdict = value('verdict');
      var risk = value('risk') === '' ? -1 : Number(value('risk'));
      var rule = value('rule') === '' ? -1 : Number(value('rule'));
      var account = value('account') === '' ? -1 : Number(value('account'));
      var region = value('region') === '' ? -1 : Number(value('region'));
      var repository = value('repository') === '' ? -1 : Number(value('repository'));
      var change = value('change') === '' ? -1 : Number(value('change'));
      var search = value('search').trim().toLowerCase();
      if (search) buildHaystack();
      var n = 0;
      for (var k = 0; k < order.length; k++) {
        var i = order[k], r = rows[i];
        if (verdict) {
          var rk = rank(r);
          if (verdict === 'failing' ? rk !== 0 : verdict === 'unknown' ? rk !== 1 : verdict === 'suppressed' ? rk !== 2 : verdict === 'passing' ? rk !== 3 : rk > 1) continue;
        }
        if (risk >= 0 && r[RISK] !== risk) continue;
        if (rule >= 0 && r[RULE] !== rule) continue;
        if (account >= 0 && r[ACCOUNT] !== account) continue;
        if (region >= 0 && r[REGION] !== region) continue;
        if (repository >= 0 && r[REPOSITORY] !== repository) continue;
        if (change >= 0 && r[CHANGE] !== change) continue;
        if (search && haystack[i].indexOf(search) < 0) continue;
        shown[n++] = i;
      }
      shownCount = n;
      page = 0;
      render();
      section.setAttribute('data-filter-ms', (performance.now() - started).toFixed(1));
    }

    function render() {
      var pages = Math.max(1, Math.ceil(shownCount / PAGE));
      if (page >= pages) page = pages - 1;
      var from = page * PAGE, to = Math.min(shownCount, from + PAGE);
      var fragment = document.createDocumentFragment();
      for (var k = from; k < to; k++) {
        var r = rows[shown[k]];
        var tr = document.createElement('tr');
        for (var c = 0; c < columns.length; c++) RENDER[columns[c]](tr, r);
        fragment.appendChild(tr);
      }
      tbody.textContent = '';
      tbody.appendChild(fragment);
      var total = rows.length.toLocaleString('en-US');
      status.textContent = shownCount === rows.length
        ? 'Showing all ' + total + ' rows'
        : 'Showing ' + shownCount.toLocaleString('en-US') + ' of ' + total + ' rows (filtered)';
      pageText.textContent = shownCount === 0 ? 'No rows match.' : 'Rows ' + (from + 1).toLocaleString('en-US') + '–' + to.toLocaleString('en-US') + ', page ' + (page + 1) + ' of ' + pages;
      buttons.first.disabled = buttons.prev.disabled = page === 0;
      buttons.next.disabled = buttons.last.disabled = page >= pages - 1;
      section.setAttribute('data-shown', String(shownCount));
    }

    Object.keys(controls).forEach(function (name) {
      controls[name].addEventListener(name === 'search' ? 'input' : 'change', filter);
    });
    Array.prototype.forEach.call(section.querySelectorAll('th[data-sort] button'), function (b) {
      b.addEventListener('click', function () {
        var column = b.parentNode.getAttribute('data-sort');
        sortBy(column, sortColumn === column ? -sortDirection : 1);
        filter();
      });
    });
    Object.keys(buttons).forEach(function (name) {
      buttons[name].addEventListener('click', function () {
        var pages = Math.max(1, Math.ceil(shownCount / PAGE));
        page = name === 'first' ? 0 : name === 'prev' ? page - 1 : name === 'next' ? page + 1 : pages - 1;
        render();
      });
    });
    sortBy(section.getAttribute('data-sort') || 'verdict', 1);
    filter();
    setTimeout(buildHaystack, 0);
    // Clears every filter, then sets one (the "show these" buttons).
    return { only: function (name, v) {
      Object.keys(controls).forEach(function (n) { controls[n].value = ''; });
      if (controls[name]) controls[name].value = v;
      filter();
    } };
  }

  var tables = {};
  Array.prototype.forEach.call(document.querySelectorAll('section[data-table]'), function (s) {
    tables[s.getAttribute('data-table')] = setup(s);
    s.querySelector('.noscript-note').hidden = true;
  });
  // "Show these findings" buttons next to the accounts, regions, repositories and changes.
  Array.prototype.forEach.call(document.querySelectorAll('button.show'), function (b) {
    b.addEventListener('click', function () {
      var t = tables[b.getAttribute('data-target')];
      if (!t) return;
      t.only(b.getAttribute('data-filter-name'), b.getAttribute('data-filter-value'));
      document.getElementById(b.getAttribute('data-target')).scrollIntoView();
    });
  });
})();
`;
