-- +goose Up
-- A people search (the API's and the console's, store.personMatches) compares names without
-- diacritics. Computing that per row at each search (translate over every person of the
-- communes) made the console's search six times slower than its other pages; the name
-- without diacritics is kept once, when a person is written. The two letter lists are
-- store's turnAccents and turnPlain (TestNamePlainIsStripAccents holds them equal).
ALTER TABLE person ADD COLUMN name_plain text GENERATED ALWAYS AS (lower(translate(name,
    'àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ',
    'aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyAAAAAAAAAAAAAAAAADEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYY'))) STORED;

-- +goose Down
ALTER TABLE person DROP COLUMN name_plain;
