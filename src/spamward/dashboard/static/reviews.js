// Keyboard shortcuts for the review queue. They only move between items and press the
// buttons already on the page: every form works the same without this file.
//   j / k  next / previous item (on an item's own page: the next / previous item's page)
//   a, r, t  approve, reject, retry the selected item
//   n  write a note; Esc leaves the note
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-review-item]"));
  var selected = 0;

  function typing(target) {
    var name = target && target.tagName;
    return name === "INPUT" || name === "TEXTAREA" || name === "SELECT" || (target && target.isContentEditable);
  }

  function select(index) {
    if (!items.length) { return; }
    selected = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) {
      item.classList.toggle("selected", i === selected);
      if (i === selected) { item.setAttribute("aria-current", "true"); } else { item.removeAttribute("aria-current"); }
    });
    items[selected].scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    if (items.length > 1) { select(selected + step); return; }
    var link = document.querySelector(step > 0 ? "a[data-nav=next]" : "a[data-nav=prev]");
    if (link) { link.click(); }
  }

  function press(key) {
    var item = items[selected];
    var button = item && item.querySelector("button[data-key='" + key + "']");
    if (button) { button.click(); }
  }

  function note() {
    var field = items[selected] && items[selected].querySelector("textarea[name=note]");
    if (field) { field.focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      a: function () { press("a"); },
      r: function () { press("r"); },
      t: function () { press("t"); },
      n: note
    };
    var action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  items.forEach(function (item, i) {
    item.addEventListener("click", function () { select(i); });
  });
  select(0);
})();
