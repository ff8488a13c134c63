// Clientside functions of the parity tour (examples/parity_tour.rs),
// referenced as ClientsideFunction::new("tour", <name>). They run in the
// browser; the renderer passes the Inputs' then the States' values.
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.tour = {
    display: function (value) {
        return 'Client says "' + value + '"';
    },
    add: function (x, y) {
        return parseFloat(x) + parseFloat(y);
    },
    mean: function () {
        var values = Array.prototype.slice.call(arguments).map(parseFloat);
        return values.reduce(function (sum, v) { return sum + v; }, 0) / values.length;
    },
    add_to_four_outputs: function (value) {
        var v = parseFloat(value);
        return [v + 1, v + 2, v + 3, v + 4];
    },
    add1_prevent_at_11: function (input, current) {
        if (parseInt(input, 10) === 11) {
            throw window.dash_clientside.PreventUpdate;
        }
        return parseInt(current, 10) + 1;
    },
    add1_no_update_at_11: function (input, second, third) {
        var nextThird = parseInt(third, 10) + 1;
        if (parseInt(input, 10) === 11) {
            return [window.dash_clientside.no_update, nextThird];
        }
        return [parseInt(second, 10) + 1, nextThird];
    },
    triggered_to_str: function () {
        var ctx = window.dash_clientside.callback_context;
        return ctx.triggered
            .filter(function (t) { return t.prop_id !== '.'; })
            .map(function (t) { return t.prop_id + ' = ' + t.value; })
            .join(', ');
    }
};
