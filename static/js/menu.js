// The header's menu on phones (under 40rem, see intranet.css): folded behind a "Menu"
// button so the page starts near the top of the screen. Without this script, or on a
// wider screen, every link shows.
(function () {
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".site-header__toggle");
  if (!toggle) {
    return;
  }
  header.classList.add("js-menu");
  toggle.addEventListener("click", function () {
    var open = header.classList.toggle("is-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
