import { describe, expect, it } from "vitest";
import type { DirectChannel } from "../../api/types";
import { addableToGroup } from "./GroupSettings";

const person = (id: string) => ({ id, username: id });
const group = (ids: string[]): DirectChannel => ({ id: "ch_g", type: 3, owner_id: ids[0], recipients: ids.map(person), created_at: "2025-01-01T00:00:00Z" });

describe("addableToGroup", () => {
  it("offers the candidates not already in the group, with room for ten people in all", () => {
    const result = addableToGroup([person("a"), person("b"), person("c"), person("d")], group(["me", "a", "b"]));
    expect(result.people.map((p) => p.id)).toEqual(["c", "d"]);
    expect(result.room).toBe(7);
  });

  it("has no room in a full group", () => {
    const full = group(["me", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(addableToGroup([person("x")], full).room).toBe(0);
  });
});
