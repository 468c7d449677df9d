-- Level roles and nicknames, per guild (issue 16): off until /setup turns them on.
-- level_role_ids: the role of FACEIT level n at index n (1-based), null where a level has no role;
-- the column itself null = level roles off. nick_template: '{nickname} [{level}]' style, null = off.
-- Members' levels are not stored: they are read from FACEIT when they link and after each match.
alter table public.guild_settings
  add column level_role_ids text[]
    check (level_role_ids is null or (
      cardinality(level_role_ids) = 10
      and array_to_string(level_role_ids, ',', '') ~ '^(\d{17,20})?(,(\d{17,20})?){9}$')),
  add column nick_template text
    check (nick_template is null or (
      (nick_template like '%{nickname}%' or nick_template like '%{level}%')
      and char_length(nick_template) <= 100));
