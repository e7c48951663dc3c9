// Print buttons (data-print): no inline script, so the Content Security Policy can forbid it.
document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) {
        window.print();
    }
});
