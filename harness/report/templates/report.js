(function () {
  "use strict";
  var SEVERITY = ["gap", "extra", "error", "limitation", "pass"];
  var SEP = "\u0000";
  var checks = Array.prototype.map.call(document.querySelectorAll("#checks .check"), function (el) {
    return { el: el, verdict: el.dataset.verdict, client: el.dataset.client, group: el.dataset.group,
             scheme: el.dataset.scheme, ops: JSON.parse(el.dataset.ops), text: el.dataset.search };
  });
  var cells = Array.prototype.slice.call(document.querySelectorAll("#matrix td.cell"));
  var state = { verdicts: {}, client: "", group: "", scheme: "", text: "", cell: null };
  SEVERITY.forEach(function (v) { state.verdicts[v] = true; });
  var $ = function (id) { return document.getElementById(id); };

  function matches(c, withCell) {
    if (!state.verdicts[c.verdict]) return false;
    if (state.client && c.client !== state.client) return false;
    if (state.group && c.group !== state.group) return false;
    if (state.scheme && c.scheme !== state.scheme) return false;
    if (state.text && c.text.indexOf(state.text) < 0) return false;
    if (withCell && state.cell) {
      if (c.client !== state.cell.client || c.scheme !== state.cell.scheme) return false;
      if (c.ops.indexOf(state.cell.op) < 0) return false;
    }
    return true;
  }

  function apply() {
    var counts = {}, shown = 0;
    checks.forEach(function (c) {
      var visible = matches(c, true);
      c.el.hidden = !visible;
      if (visible) shown += 1;
      if (!matches(c, false)) return;
      c.ops.forEach(function (op) {
        var key = op + SEP + c.client + SEP + c.scheme;
        var n = counts[key] || (counts[key] = { total: 0 });
        n[c.verdict] = (n[c.verdict] || 0) + 1;
        n.total += 1;
      });
    });
    cells.forEach(function (td) {
      var key = td.dataset.op + SEP + td.dataset.client + SEP + td.dataset.scheme;
      var n = counts[key];
      var worst = n ? SEVERITY.filter(function (v) { return n[v]; })[0] : null;
      td.className = "cell " + (worst ? "v-" + worst : "v-none");
      if (state.cell && state.cell.key === key) td.className += " selected";
      td.querySelector(".k").textContent = worst ? n[worst] + " " + worst : "0";
      td.querySelector(".of").textContent = worst ? "of " + n.total : "filtered out";
      td.title = n ? SEVERITY.filter(function (v) { return n[v]; }).map(function (v) { return n[v] + " " + v; }).join(", ") : "";
    });
    $("shown").textContent = shown + " of " + checks.length + " checks shown";
    var chip = $("cell-chip");
    chip.hidden = !state.cell;
    if (state.cell) $("cell-chip-text").textContent = state.cell.op + " \u00d7 " + state.cell.client + " \u00d7 " + state.cell.scheme;
    Array.prototype.forEach.call(document.querySelectorAll(".totals button"), function (b) {
      b.classList.toggle("off", !state.verdicts[b.dataset.verdict]);
      b.setAttribute("aria-pressed", state.verdicts[b.dataset.verdict] ? "true" : "false");
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=verdict]"), function (i) {
      i.checked = !!state.verdicts[i.value];
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[name=verdict]"), function (i) {
    i.addEventListener("change", function () { state.verdicts[i.value] = i.checked; apply(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".totals button"), function (b) {
    b.addEventListener("click", function () {
      var v = b.dataset.verdict;
      state.verdicts[v] = !state.verdicts[v];
      apply();
    });
  });
  [["f-client", "client"], ["f-group", "group"], ["f-scheme", "scheme"]].forEach(function (p) {
    $(p[0]).addEventListener("change", function (e) { state[p[1]] = e.target.value; apply(); });
  });
  $("f-text").addEventListener("input", function (e) { state.text = e.target.value.trim().toLowerCase(); apply(); });
  cells.forEach(function (td) {
    td.querySelector("button").addEventListener("click", function () {
      var key = td.dataset.op + SEP + td.dataset.client + SEP + td.dataset.scheme;
      state.cell = state.cell && state.cell.key === key ? null
        : { key: key, op: td.dataset.op, client: td.dataset.client, scheme: td.dataset.scheme };
      apply();
      if (state.cell) $("checks").scrollIntoView();
    });
  });
  $("cell-chip-clear").addEventListener("click", function () { state.cell = null; apply(); });
  $("f-reset").addEventListener("click", function () {
    SEVERITY.forEach(function (v) { state.verdicts[v] = true; });
    state.client = state.group = state.scheme = state.text = ""; state.cell = null;
    $("f-client").value = $("f-group").value = $("f-scheme").value = $("f-text").value = "";
    apply();
  });
  $("expand-failing").addEventListener("click", function () {
    checks.forEach(function (c) { if (!c.el.hidden && c.verdict !== "pass") c.el.open = true; });
  });
  $("collapse-all").addEventListener("click", function () { checks.forEach(function (c) { c.el.open = false; }); });
  document.documentElement.dataset.ready = "1";
  apply();
  // a link to one check (#check-..., from the comparison page) opens it
  var linked = location.hash && document.getElementById(location.hash.slice(1));
  if (linked && linked.tagName === "DETAILS") { linked.open = true; linked.scrollIntoView(); }
})();
