/** The {@code ${stepPrefix}/scale} step and its config record. */
package ${package};
