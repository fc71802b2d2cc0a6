// The map's layer switches and the colour dots of the legend (no inline styles: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-colour]").forEach(function (el) {
    if (el.tagName === "SPAN") el.style.background = el.dataset.colour;
  });
  document.querySelectorAll("input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('.map-point[data-layer="' + box.dataset.layer + '"]').forEach(function (p) {
        p.classList.toggle("map-hide", !box.checked);
      });
    });
  });
});
