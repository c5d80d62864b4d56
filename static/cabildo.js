/* Cabildo: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Forms that create something: block a second click while the first submission travels.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 8000);
  });

  // Voting codes: the check character (Luhn mod 30, as consult/identity.py) catches a typo
  // before the server is asked.
  var CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
  function codeIsWellFormed(raw) {
    var text = raw.replace(/[\s.\-_\/]+/g, "").toUpperCase();
    if (text.length !== 9) return false;
    var factor = 2, total = 0, n = CODE_ALPHABET.length;
    for (var i = 7; i >= 0; i--) {
      var index = CODE_ALPHABET.indexOf(text.charAt(i));
      if (index < 0) return false;
      var addend = factor * index;
      factor = factor === 2 ? 1 : 2;
      total += Math.floor(addend / n) + (addend % n);
    }
    return CODE_ALPHABET.charAt((n - (total % n)) % n) === text.charAt(8);
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-code-check]"), function (input) {
    function check() {
      var bad = input.value.trim() !== "" && !codeIsWellFormed(input.value);
      input.setCustomValidity(bad ? input.dataset.codeCheck : "");
      input.setAttribute("aria-invalid", bad ? "true" : "false");
    }
    input.addEventListener("change", check);
    input.addEventListener("blur", function () { check(); if (input.validationMessage) input.reportValidity(); });
  });

  // Ballot: live counter of choices, points or money left; mark choices that no longer fit.
  var ballot = document.querySelector("form.ballot");
  if (!ballot) return;
  var status = document.getElementById("ballot-status");
  if (!status) return;
  var lang = document.documentElement.lang || undefined;
  var method = ballot.dataset.method;
  var currency = ballot.dataset.currency;
  var money = function (value) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value) + "\u00a0" + currency;
  };
  var fill = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  };
  var items = Array.prototype.slice.call(ballot.querySelectorAll(".ballot-item"));

  function update() {
    var text, over = 0;
    if (method === "knapsack") {
      var budget = parseFloat(ballot.dataset.budget);
      var used = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input[type=checkbox]");
        if (box && box.checked) used += parseFloat(item.dataset.cost);
      });
      var left = budget - used;
      over = left < 0 ? -left : 0;
      text = fill(ballot.dataset.textMoney, { left: money(Math.max(left, 0)), limit: money(budget) });
      var meter = status.querySelector("meter");
      if (meter) { meter.value = Math.min(used, budget); meter.textContent = money(used); }
      items.forEach(function (item) {
        var box = item.querySelector("input[type=checkbox]");
        var note = item.querySelector(".fit-note");
        var fits = box.checked || parseFloat(item.dataset.cost) <= left;
        item.classList.toggle("does-not-fit", !fits);
        note.textContent = fits ? "" : ballot.dataset.textNofit;
        note.setAttribute("aria-hidden", fits ? "true" : "false");
      });
      if (over) text += " " + fill(ballot.dataset.textOver, { over: money(over) });
    } else if (method === "approval") {
      var limit = parseInt(ballot.dataset.maxChoices, 10);
      var chosen = ballot.querySelectorAll("input[name=choice]:checked").length;
      over = Math.max(chosen - limit, 0);
      text = fill(ballot.dataset.textChoices, { left: Math.max(limit - chosen, 0), limit: limit });
      if (over) text += " " + fill(ballot.dataset.textOver, { over: over });
    } else {
      var maxPoints = parseInt(ballot.dataset.maxPoints, 10);
      var usedPoints = 0;
      ballot.querySelectorAll("input[type=number]").forEach(function (input) {
        var value = parseInt(input.value, 10);
        if (value > 0) usedPoints += value;
      });
      over = Math.max(usedPoints - maxPoints, 0);
      text = fill(ballot.dataset.textPoints, { left: Math.max(maxPoints - usedPoints, 0), limit: maxPoints });
      if (over) text += " " + fill(ballot.dataset.textOver, { over: over });
    }
    var line = status.querySelector("p");
    if (line) line.textContent = text;
    status.classList.toggle("is-over", over > 0);
  }

  ballot.addEventListener("input", update);
  ballot.addEventListener("change", update);
  update();
})();
