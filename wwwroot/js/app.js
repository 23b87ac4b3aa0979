// ImageHub's only script of its own: menu items that submit a form kept outside the menu (log out is a POST with an
// antiforgery token; a menu may only hold menu items).
window.imageHub = {
    submit: id => document.getElementById(id)?.requestSubmit()
};
