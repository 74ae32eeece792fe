
(function () {
  'use strict';
  // Filters and paging of postflight's HTML report. It only reads the page and shows or hides
  // what is there: no text from the report ever becomes markup. The filter can come from the
  // address: report.html#status=fail,error&host=web&check=disk
  var MAP_PAGE = 250, DETAIL_PAGE = 50;
  var d = document;
  var all = function (sel) { return Array.prototype.slice.call(d.querySelectorAll(sel)); };
  var heads = all('#heatmap thead th[data-check]');
  var checks = heads.map(function (th) { return th.getAttribute('data-check').toLowerCase(); });
  var rows = all('#heatmap tbody tr').map(function (tr) {
    var cells = Array.prototype.slice.call(tr.getElementsByTagName('td'));
    return {
      tr: tr,
      host: tr.getAttribute('data-host').toLowerCase(),
      status: tr.getAttribute('data-status'),
      cells: cells,
      statuses: cells.map(function (td) {
        var s = td.className.split(' ')[0];
        return s === 'none' ? '' : s;
      }),
      section: d.getElementById('h-' + tr.getAttribute('data-index'))
    };
  });
  var boxes = all('#filters input[name=status]');
  var hostBox = d.getElementById('f-host');
  var checkBox = d.getElementById('f-check');
  var shown = d.getElementById('shown');
  var moreMap = d.getElementById('more-map');
  var moreHosts = d.getElementById('more-hosts');
  var mapLimit = MAP_PAGE, detailLimit = DETAIL_PAGE, forced = null;

  function state() {
    return {
      statuses: boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }),
      host: hostBox.value.trim().toLowerCase(),
      check: checkBox.value.trim().toLowerCase()
    };
  }

  function matches(r, s, cols) {
    if (r.host.indexOf(s.host) < 0) return false;
    if (s.statuses.length === 0 && s.check === '') return true;
    for (var i = 0; i < cols.length; i++) {
      if (cols[i] && r.statuses[i] !== ''
          && (s.statuses.length === 0 || s.statuses.indexOf(r.statuses[i]) >= 0)) return true;
    }
    return s.check === '' && s.statuses.indexOf(r.status) >= 0;
  }

  function apply() {
    var s = state();
    var cols = checks.map(function (c) { return s.check === '' || c.indexOf(s.check) >= 0; });
    heads.forEach(function (th, i) { if (th.hidden === cols[i]) th.hidden = !cols[i]; });
    var matched = 0;
    rows.forEach(function (r) {
      var ok = matches(r, s, cols);
      if (ok) matched++;
      var inMap = ok && matched <= mapLimit;
      if (r.tr.hidden === inMap) r.tr.hidden = !inMap;
      r.cells.forEach(function (td, i) { if (td.hidden === cols[i]) td.hidden = !cols[i]; });
      if (r.section) {
        var inDetails = (ok && matched <= detailLimit) || r.section.id === forced;
        if (r.section.hidden === inDetails) r.section.hidden = !inDetails;
      }
    });
    shown.textContent = matched === 0
      ? 'No host matches the filter (' + rows.length + ' in the run).'
      : 'Showing ' + Math.min(matched, mapLimit) + ' of ' + matched + ' matching hosts ('
        + rows.length + ' in the run); details of ' + Math.min(matched, detailLimit) + '.';
    shown.setAttribute('data-matched', String(matched));
    shown.setAttribute('data-filter', filterText());
    moreMap.hidden = matched <= mapLimit;
    moreHosts.hidden = matched <= detailLimit;
  }

  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (h.indexOf('=') < 0) return false;
    var p = {};
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i <= 0) return;
      try { p[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' ')); }
      catch (e) { p[kv.slice(0, i)] = ''; }
    });
    var st = (p.status || '').toLowerCase().split(',');
    boxes.forEach(function (b) { b.checked = st.indexOf(b.value) >= 0; });
    hostBox.value = p.host || '';
    checkBox.value = p.check || '';
    return true;
  }

  /** The filter as the address gives it: status=fail,error&host=web&check=disk */
  function filterText() {
    var s = state(), parts = [];
    if (s.statuses.length) parts.push('status=' + s.statuses.join(','));
    if (hostBox.value.trim()) parts.push('host=' + encodeURIComponent(hostBox.value.trim()));
    if (checkBox.value.trim()) parts.push('check=' + encodeURIComponent(checkBox.value.trim()));
    return parts.join('&');
  }

  function writeHash() {
    var f = filterText();
    try {
      history.replaceState(null, '', f ? '#' + f : location.pathname);
    } catch (e) { /* a browser that refuses it on file: keeps the filter on the page only */ }
  }

  function changed() {
    mapLimit = MAP_PAGE;
    detailLimit = DETAIL_PAGE;
    forced = null;
    apply();
    writeHash();
  }

  function show(id) {
    var target = id && d.getElementById(id);
    if (!target || !target.classList.contains('host')) return;
    forced = id;
    apply();
    target.scrollIntoView();
  }

  boxes.forEach(function (b) { b.addEventListener('change', changed); });
  hostBox.addEventListener('input', changed);
  checkBox.addEventListener('input', changed);
  d.getElementById('f-clear').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = false; });
    hostBox.value = '';
    checkBox.value = '';
    changed();
  });
  all('button.check-filter').forEach(function (b) {
    b.addEventListener('click', function () {
      checkBox.value = b.getAttribute('data-check');
      boxes.forEach(function (x) { x.checked = x.value === 'fail' || x.value === 'error'
        || x.value === 'warn'; });
      changed();
      d.getElementById('map').scrollIntoView();
    });
  });
  moreMap.addEventListener('click', function () { mapLimit += MAP_PAGE; apply(); });
  moreHosts.addEventListener('click', function () { detailLimit += DETAIL_PAGE; apply(); });
  window.addEventListener('hashchange', function () {
    if (readHash()) { mapLimit = MAP_PAGE; detailLimit = DETAIL_PAGE; forced = null; apply(); }
    else show(location.hash.slice(1));
  });

  readHash();
  apply();
  d.documentElement.classList.add('ready');
  if (location.hash.indexOf('=') < 0) show(location.hash.slice(1));
}());
