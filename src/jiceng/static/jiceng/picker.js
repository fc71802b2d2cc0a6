/* A search box above each long <select data-search="placeholder">: typing keeps the options
   whose text holds what was typed (name or code) and selects the first of them. The select
   still posts its value; the server resolves it through the actor's scope as always. */
(function () {
  document.querySelectorAll("select[data-search]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.placeholder = select.getAttribute("data-search");
    box.setAttribute("aria-label", select.getAttribute("data-search"));
    box.className = "picker-search";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase(), first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var keep = !q || !option.value || option.text.toLowerCase().indexOf(q) !== -1;
        option.hidden = !keep;
        if (keep && option.value && first === null) { first = option; }
      });
      if (q && first !== null) { select.value = first.value; }
    });
  });
})();
