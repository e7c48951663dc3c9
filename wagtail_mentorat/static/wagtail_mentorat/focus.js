// After an action the page reloads at its top: move the focus to the action's result, so
// a keyboard or screen-reader user meets it where they are. A refused form's error summary
// (autofocus, open panel) comes first; otherwise the message region. Without this script
// the error summary still takes the focus (autofocus) and the message is the first thing
// in the page's content. A separate file: the Content Security Policy forbids inline ones.
(() => {
    const target =
        document.querySelector(".mentorat-error-summary") ||
        document.querySelector(".mentorat-alerts");
    if (!target) {
        return;
    }
    if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
    }
    const panel = target.closest("details");
    if (panel) {
        panel.open = true;
    }
    target.focus();
})();
